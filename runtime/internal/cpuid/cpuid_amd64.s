//go:build !purego

#include "textflag.h"

// func hasAVX2() bool
TEXT ·hasAVX2(SB), NOSPLIT, $0-1
	// CPUID leaf 7 exists
	XORL	AX, AX
	XORL	CX, CX
	CPUID
	CMPL	AX, $7
	JB	noavx2
	// CPUID.1:ECX: OSXSAVE (bit 27) and AVX (bit 28)
	MOVL	$1, AX
	XORL	CX, CX
	CPUID
	ANDL	$0x18000000, CX
	CMPL	CX, $0x18000000
	JNE	noavx2
	// XCR0: the OS saves the XMM and YMM registers (bits 1 and 2)
	XORL	CX, CX
	XGETBV
	ANDL	$6, AX
	CMPL	AX, $6
	JNE	noavx2
	// CPUID.(7,0):EBX bit 5: AVX2
	MOVL	$7, AX
	XORL	CX, CX
	CPUID
	SHRL	$5, BX
	ANDL	$1, BX
	MOVB	BX, ret+0(FP)
	RET

noavx2:
	MOVB	$0, ret+0(FP)
	RET
