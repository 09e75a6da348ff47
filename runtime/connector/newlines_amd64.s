//go:build !purego

#include "textflag.h"

// func newlinesAVX2(b []byte, ends []int) int
//
// SI b, BX len(b), DI ends, R9 len(ends) (at least 1), R10 the newlines
// found, CX the offset of the block in b; Y0 holds '\n' in every byte.
TEXT ·newlinesAVX2(SB), NOSPLIT, $0-56
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	MOVQ	ends_base+24(FP), DI
	MOVQ	ends_len+32(FP), R9
	XORQ	R10, R10
	XORQ	CX, CX
	MOVQ	$0x0a0a0a0a0a0a0a0a, AX
	MOVQ	AX, X0
	VPBROADCASTQ	X0, Y0

block:
	// 64 bytes a step: the newlines' bits in AX, the first byte lowest
	LEAQ	64(CX), DX
	CMPQ	DX, BX
	JA	tail
	VPCMPEQB	(SI)(CX*1), Y0, Y1
	VPCMPEQB	32(SI)(CX*1), Y0, Y2
	VPMOVMSKB	Y1, AX
	VPMOVMSKB	Y2, R8
	SHLQ	$32, R8
	ORQ	R8, AX
	JNZ	bits
	MOVQ	DX, CX
	JMP	block

bits:
	// each set bit of AX, lowest first, is a newline at CX + its index
	BSFQ	AX, R8
	ADDQ	CX, R8
	MOVQ	R8, (DI)(R10*8)
	INCQ	R10
	CMPQ	R10, R9
	JEQ	done
	LEAQ	-1(AX), R8
	ANDQ	R8, AX
	JNZ	bits
	MOVQ	DX, CX
	JMP	block

tail:
	// fewer than 64 bytes left: one at a time
	CMPQ	CX, BX
	JAE	done
	CMPB	(SI)(CX*1), $0x0a
	JNE	next
	MOVQ	CX, (DI)(R10*8)
	INCQ	R10
	CMPQ	R10, R9
	JEQ	done

next:
	INCQ	CX
	JMP	tail

done:
	VZEROUPPER
	MOVQ	R10, ret+48(FP)
	RET
