//go:build !purego

#include "textflag.h"

// SEP sets AX to the commas (X1) and R11 to the quotes ('"', X2) of the 16
// bytes of X0, the first byte in the lowest bit; it uses X3 and clobbers X0.
#define SEP \
	MOVOU	X0, X3 \
	PCMPEQB	X1, X3 \
	PCMPEQB	X2, X0 \
	PMOVMSKB	X3, AX \
	PMOVMSKB	X0, R11

// func sepMasks(b []byte, masks []uint16) (quote bool)
TEXT ·sepMasks(SB), NOSPLIT, $0-49
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	MOVQ	masks_base+24(FP), R8
	XORQ	DI, DI // the next 16 bytes start at b[DI], a multiple of 16
	XORL	R9, R9 // the quotes seen, ORed
	MOVQ	$0x2c2c2c2c2c2c2c2c, AX
	MOVQ	AX, X1
	PUNPCKLQDQ	X1, X1
	MOVQ	$0x2222222222222222, AX
	MOVQ	AX, X2
	PUNPCKLQDQ	X2, X2

loop:
	LEAQ	16(DI), DX
	CMPQ	DX, BX
	JA	last
	MOVOU	(SI)(DI*1), X0
	SEP
	ORL	R11, R9
	MOVQ	DI, CX
	SHRQ	$3, CX // masks[DI/16], two bytes each
	MOVW	AX, (R8)(CX*1)
	MOVQ	DX, DI
	JMP	loop

last:
	// the last 16 bytes of b (len(b) >= 16), of which those before DI are
	// done already: shifted out
	CMPQ	DI, BX
	JEQ	done
	MOVQ	BX, DX
	SUBQ	$16, DX
	MOVOU	(SI)(DX*1), X0
	SEP
	MOVQ	DI, CX
	SUBQ	DX, CX
	SHRL	CX, AX
	SHRL	CX, R11
	ORL	R11, R9
	MOVQ	DI, CX
	SHRQ	$3, CX
	MOVW	AX, (R8)(CX*1)

done:
	TESTL	R9, R9
	SETNE	quote+48(FP)
	RET
