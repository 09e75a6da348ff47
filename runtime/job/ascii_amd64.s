//go:build !purego

#include "textflag.h"

// func asciiPrefix(b []byte) int
TEXT ·asciiPrefix(SB), NOSPLIT, $0-32
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	XORQ	DI, DI

loop64:
	// 64 bytes a step: the high bits of four loads, or'ed
	LEAQ	64(DI), DX
	CMPQ	DX, BX
	JA	loop16
	MOVOU	(SI)(DI*1), X0
	MOVOU	16(SI)(DI*1), X1
	MOVOU	32(SI)(DI*1), X2
	MOVOU	48(SI)(DI*1), X3
	POR	X1, X0
	POR	X3, X2
	POR	X2, X0
	PMOVMSKB	X0, AX
	TESTL	AX, AX
	JNZ	loop16
	MOVQ	DX, DI
	JMP	loop64

loop16:
	// 16 bytes a step, up to the first that is not ASCII
	LEAQ	16(DI), DX
	CMPQ	DX, BX
	JA	tail
	MOVOU	(SI)(DI*1), X0
	PMOVMSKB	X0, AX
	TESTL	AX, AX
	JNZ	found
	MOVQ	DX, DI
	JMP	loop16

found:
	BSFL	AX, AX
	ADDQ	DI, AX
	MOVQ	AX, ret+24(FP)
	RET

tail:
	// fewer than 16 bytes left: one at a time
	CMPQ	DI, BX
	JEQ	none
	MOVBLZX	(SI)(DI*1), AX
	CMPB	AL, $0x80
	JAE	tailfound
	INCQ	DI
	JMP	tail

tailfound:
	MOVQ	DI, ret+24(FP)
	RET

none:
	MOVQ	BX, ret+24(FP)
	RET

DATA backslash32<>+0(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA backslash32<>+8(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA backslash32<>+16(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA backslash32<>+24(SB)/8, $0x5c5c5c5c5c5c5c5c
GLOBL backslash32<>(SB), RODATA|NOPTR, $32

// func plainPrefix(b []byte) int
TEXT ·plainPrefix(SB), NOSPLIT, $0-32
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	XORQ	DI, DI
	CMPB	·useAVX2(SB), $0
	JEQ	ploop16init
	VMOVDQU	backslash32<>(SB), Y2

ploop64:
	// 64 bytes a step with AVX2: the high bits of two loads, or'ed, and
	// their backslashes
	LEAQ	64(DI), DX
	CMPQ	DX, BX
	JA	pavxdone
	VMOVDQU	(SI)(DI*1), Y0
	VMOVDQU	32(SI)(DI*1), Y1
	VPCMPEQB	Y2, Y0, Y3
	VPCMPEQB	Y2, Y1, Y4
	VPOR	Y1, Y0, Y0
	VPOR	Y4, Y3, Y3
	VPOR	Y3, Y0, Y0
	VPMOVMSKB	Y0, AX
	TESTL	AX, AX
	JNZ	pavxdone
	MOVQ	DX, DI
	JMP	ploop64

pavxdone:
	VZEROUPPER

ploop16init:
	MOVQ	$0x5c5c5c5c5c5c5c5c, AX
	MOVQ	AX, X2
	PUNPCKLQDQ	X2, X2

ploop16:
	// 16 bytes a step, up to the first that is not ASCII or is '\\'
	LEAQ	16(DI), DX
	CMPQ	DX, BX
	JA	ptail
	MOVOU	(SI)(DI*1), X0
	MOVOU	X0, X1
	PCMPEQB	X2, X1
	POR	X1, X0
	PMOVMSKB	X0, AX
	TESTL	AX, AX
	JNZ	pfound
	MOVQ	DX, DI
	JMP	ploop16

pfound:
	BSFL	AX, AX
	ADDQ	DI, AX
	MOVQ	AX, ret+24(FP)
	RET

ptail:
	// fewer than 16 bytes left: one at a time
	CMPQ	DI, BX
	JEQ	pnone
	MOVBLZX	(SI)(DI*1), AX
	CMPB	AL, $0x80
	JAE	ptailfound
	CMPB	AL, $0x5c
	JEQ	ptailfound
	INCQ	DI
	JMP	ptail

ptailfound:
	MOVQ	DI, ret+24(FP)
	RET

pnone:
	MOVQ	BX, ret+24(FP)
	RET
