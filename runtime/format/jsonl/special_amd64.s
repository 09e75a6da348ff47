//go:build !purego

#include "textflag.h"

// special sets the bits of AX for the bytes of X0 that are '"' (X1), '\\'
// (X2) or at most 0x1f (X3), the first byte in the lowest bit; it uses X4
// and X5 and clobbers X0.
#define SPECIAL \
	MOVOU	X0, X4 \
	PCMPEQB	X1, X4 \
	MOVOU	X0, X5 \
	PCMPEQB	X2, X5 \
	POR	X5, X4 \
	PMAXUB	X3, X0 \
	PCMPEQB	X3, X0 \
	POR	X0, X4 \
	PMOVMSKB	X4, AX

// PLAIN is SPECIAL that also sets the bits of the bytes of X0 above 0x7f
// (not ASCII); it uses X6 too.
#define PLAIN \
	MOVOU	X0, X6 \
	SPECIAL \
	PMOVMSKB	X6, R8 \
	ORL	R8, AX

// SPECIAL32 is SPECIAL for the 32 bytes of Y0, with '"' in every byte
// of Y1, '\\' in Y2 and 0x1f in Y3; it uses Y4 and Y5 and keeps Y0.
#define SPECIAL32 \
	VPCMPEQB	Y1, Y0, Y4 \
	VPCMPEQB	Y2, Y0, Y5 \
	VPOR	Y5, Y4, Y4 \
	VPMAXUB	Y3, Y0, Y5 \
	VPCMPEQB	Y3, Y5, Y5 \
	VPOR	Y5, Y4, Y4 \
	VPMOVMSKB	Y4, AX

// PLAIN32 is PLAIN for the 32 bytes of Y0.
#define PLAIN32 \
	SPECIAL32 \
	VPMOVMSKB	Y0, R8 \
	ORL	R8, AX

DATA bytes32<>+0(SB)/8, $0x2222222222222222
DATA bytes32<>+8(SB)/8, $0x2222222222222222
DATA bytes32<>+16(SB)/8, $0x2222222222222222
DATA bytes32<>+24(SB)/8, $0x2222222222222222
DATA bytes32<>+32(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bytes32<>+40(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bytes32<>+48(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bytes32<>+56(SB)/8, $0x5c5c5c5c5c5c5c5c
DATA bytes32<>+64(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA bytes32<>+72(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA bytes32<>+80(SB)/8, $0x1f1f1f1f1f1f1f1f
DATA bytes32<>+88(SB)/8, $0x1f1f1f1f1f1f1f1f
GLOBL bytes32<>(SB), RODATA|NOPTR, $96

// func stringEnd(b []byte) int
TEXT ·stringEnd(SB), NOSPLIT, $0-32
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	XORQ	DI, DI
	CMPQ	BX, $16
	JB	small
	CMPQ	BX, $32
	JB	sse
	CMPB	·useAVX2(SB), $0
	JNE	avx2

sse:
	MOVQ	$0x2222222222222222, AX
	MOVQ	AX, X1
	PUNPCKLQDQ	X1, X1
	MOVQ	$0x5c5c5c5c5c5c5c5c, AX
	MOVQ	AX, X2
	PUNPCKLQDQ	X2, X2
	MOVQ	$0x1f1f1f1f1f1f1f1f, AX
	MOVQ	AX, X3
	PUNPCKLQDQ	X3, X3

loop:
	LEAQ	16(DI), DX
	CMPQ	DX, BX
	JA	last
	MOVOU	(SI)(DI*1), X0
	SPECIAL
	TESTL	AX, AX
	JNZ	found
	MOVQ	DX, DI
	JMP	loop

last:
	// the last 16 bytes of b, of which those before DI are checked already
	CMPQ	DI, BX
	JEQ	none
	MOVQ	BX, DX
	SUBQ	$16, DX
	MOVOU	(SI)(DX*1), X0
	SPECIAL
	MOVQ	DI, CX
	SUBQ	DX, CX
	SHRL	CX, AX
	TESTL	AX, AX
	JZ	none

found:
	BSFL	AX, AX
	ADDQ	DI, AX
	MOVQ	AX, ret+24(FP)
	RET

none:
	MOVQ	BX, ret+24(FP)
	RET

small:
	// fewer than 16 bytes: one at a time
	CMPQ	DI, BX
	JEQ	none
	MOVBLZX	(SI)(DI*1), AX
	CMPB	AL, $0x22
	JEQ	smallfound
	CMPB	AL, $0x5c
	JEQ	smallfound
	CMPB	AL, $0x20
	JB	smallfound
	INCQ	DI
	JMP	small

smallfound:
	MOVQ	DI, ret+24(FP)
	RET

avx2:
	// 32 bytes a step (b has 32 at least)
	VMOVDQU	bytes32<>+0(SB), Y1
	VMOVDQU	bytes32<>+32(SB), Y2
	VMOVDQU	bytes32<>+64(SB), Y3

aloop:
	LEAQ	32(DI), DX
	CMPQ	DX, BX
	JA	alast
	VMOVDQU	(SI)(DI*1), Y0
	SPECIAL32
	TESTL	AX, AX
	JNZ	afound
	MOVQ	DX, DI
	JMP	aloop

alast:
	// the last 32 bytes of b, of which those before DI are checked already
	CMPQ	DI, BX
	JEQ	anone
	MOVQ	BX, DX
	SUBQ	$32, DX
	VMOVDQU	(SI)(DX*1), Y0
	SPECIAL32
	MOVQ	DI, CX
	SUBQ	DX, CX
	SHRL	CX, AX
	TESTL	AX, AX
	JZ	anone

afound:
	VZEROUPPER
	BSFL	AX, AX
	ADDQ	DI, AX
	MOVQ	AX, ret+24(FP)
	RET

anone:
	VZEROUPPER
	MOVQ	BX, ret+24(FP)
	RET

// func plainEnd(b []byte) int
TEXT ·plainEnd(SB), NOSPLIT, $0-32
	MOVQ	b_base+0(FP), SI
	MOVQ	b_len+8(FP), BX
	XORQ	DI, DI
	CMPQ	BX, $16
	JB	psmall
	CMPQ	BX, $32
	JB	psse
	CMPB	·useAVX2(SB), $0
	JNE	pavx2

psse:
	MOVQ	$0x2222222222222222, AX
	MOVQ	AX, X1
	PUNPCKLQDQ	X1, X1
	MOVQ	$0x5c5c5c5c5c5c5c5c, AX
	MOVQ	AX, X2
	PUNPCKLQDQ	X2, X2
	MOVQ	$0x1f1f1f1f1f1f1f1f, AX
	MOVQ	AX, X3
	PUNPCKLQDQ	X3, X3

ploop:
	LEAQ	16(DI), DX
	CMPQ	DX, BX
	JA	plast
	MOVOU	(SI)(DI*1), X0
	PLAIN
	TESTL	AX, AX
	JNZ	pfound
	MOVQ	DX, DI
	JMP	ploop

plast:
	// the last 16 bytes of b, of which those before DI are checked already
	CMPQ	DI, BX
	JEQ	pnone
	MOVQ	BX, DX
	SUBQ	$16, DX
	MOVOU	(SI)(DX*1), X0
	PLAIN
	MOVQ	DI, CX
	SUBQ	DX, CX
	SHRL	CX, AX
	TESTL	AX, AX
	JZ	pnone

pfound:
	BSFL	AX, AX
	ADDQ	DI, AX
	MOVQ	AX, ret+24(FP)
	RET

pnone:
	MOVQ	BX, ret+24(FP)
	RET

psmall:
	// fewer than 16 bytes: one at a time
	CMPQ	DI, BX
	JEQ	pnone
	MOVBLZX	(SI)(DI*1), AX
	CMPB	AL, $0x22
	JEQ	psmallfound
	CMPB	AL, $0x5c
	JEQ	psmallfound
	CMPB	AL, $0x20
	JB	psmallfound
	CMPB	AL, $0x80
	JAE	psmallfound
	INCQ	DI
	JMP	psmall

psmallfound:
	MOVQ	DI, ret+24(FP)
	RET

pavx2:
	// 32 bytes a step (b has 32 at least)
	VMOVDQU	bytes32<>+0(SB), Y1
	VMOVDQU	bytes32<>+32(SB), Y2
	VMOVDQU	bytes32<>+64(SB), Y3

paloop:
	LEAQ	32(DI), DX
	CMPQ	DX, BX
	JA	palast
	VMOVDQU	(SI)(DI*1), Y0
	PLAIN32
	TESTL	AX, AX
	JNZ	pafound
	MOVQ	DX, DI
	JMP	paloop

palast:
	// the last 32 bytes of b, of which those before DI are checked already
	CMPQ	DI, BX
	JEQ	panone
	MOVQ	BX, DX
	SUBQ	$32, DX
	VMOVDQU	(SI)(DX*1), Y0
	PLAIN32
	MOVQ	DI, CX
	SUBQ	DX, CX
	SHRL	CX, AX
	TESTL	AX, AX
	JZ	panone

pafound:
	VZEROUPPER
	BSFL	AX, AX
	ADDQ	DI, AX
	MOVQ	AX, ret+24(FP)
	RET

panone:
	VZEROUPPER
	MOVQ	BX, ret+24(FP)
	RET
