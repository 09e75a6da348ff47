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
