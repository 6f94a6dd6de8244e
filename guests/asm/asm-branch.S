# Control flow: every conditional branch taken and not taken over signed edge values, with the delay slot
# always executing (it increments a counter), REGIMM and-link forms writing $31 whether or not taken, j/jal,
# jr/jalr with a chosen link register, and a loop whose back-edge delay slot does work.
# Output is compared byte for byte with qemu-mips64.
        .include "lib.inc"
        BEGIN
        dla $16, values
        li $17, 0
loop:
        dsll $1, $17, 3
        daddu $1, $1, $16
        ld $18, 0($1)
        ld $19, 8($1)                   # next value (the table has one extra entry)
        .irp br, bltz, bgez, blez, bgtz
        li $20, 0
        \br $18, 1f
        daddiu $20, $20, 1              # delay slot: always runs
        daddiu $20, $20, 16             # fall-through path only
1:
        DUMP $20
        .endr
        .irp br, beq, bne
        li $20, 0
        \br $18, $19, 1f
        daddiu $20, $20, 1
        daddiu $20, $20, 16
1:
        li $20, 0
        \br $18, $18, 2f
        daddiu $20, $20, 1
        daddiu $20, $20, 16
2:
        DUMP $20
        .endr
        # and-link forms: $31 is written whether or not the branch is taken.
        li $31, 0
        li $20, 0
        bltzal $18, 3f
        daddiu $20, $20, 1
        daddiu $20, $20, 16
3:
        dla $2, 3b
        dsubu $2, $31, $2               # position-independent: link relative to label
        DUMP $2
        DUMP $20
        li $31, 0
        li $20, 0
        bgezal $18, 4f
        daddiu $20, $20, 1
        daddiu $20, $20, 16
4:
        dla $2, 4b
        dsubu $2, $31, $2
        DUMP $2
        DUMP $20
        daddiu $17, $17, 1
        sltiu $1, $17, 8
        bnez $1, loop
        nop
        # jal / jr / jalr
        li $20, 0
        jal sub1
        daddiu $20, $20, 1              # delay slot of jal
        DUMP $20
        dla $21, sub1
        jalr $22, $21                   # link into $22: sub1 returns through $31, so set it up
        move $31, $22                   # delay slot: $22 already holds the return address
        DUMP $20
        dla $21, 5f
        jr $21
        daddiu $20, $20, 100
        daddiu $20, $20, 1000           # skipped
5:
        DUMP $20
        j 6f
        daddiu $20, $20, 7
        daddiu $20, $20, 1000
6:
        DUMP $20
        # Sum 1..100 with work in the back-edge delay slot.
        li $2, 0
        li $3, 100
7:
        daddu $2, $2, $3
        bnez $3, 7b
        daddiu $3, $3, -1
        DUMP $2
        FINISH
sub1:
        jr $31
        daddiu $20, $20, 10
        LIBRARY

        .data
        .align 3
values:
        .dword 0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000, 0x80000000, -2, 5, 5
