# Integer ALU semantics over a table of edge values, every pair: 32-bit ops (sign extension of results, upper
# halves ignored), 64-bit ops, shifts by immediates and by registers (counts masked to 5/6 bits), HI/LO
# multiply/divide (skipping zero divisors), mul, clz/clo/dclz/dclo, movz/movn, set-less-than.
# Output is compared byte for byte with qemu-mips64.
        .include "lib.inc"
        BEGIN
        dla $16, values
        li $17, 0                       # i
outer:
        dsll $1, $17, 3
        daddu $1, $1, $16
        ld $18, 0($1)                   # a
        sll $21, $18, 0                 # a as a sign-extended 32-bit value (32-bit ops need one on real MIPS)
        # unary / immediate forms on a
        sll $2, $21, 0
        DUMP $2
        sll $2, $21, 1
        DUMP $2
        sll $2, $21, 31
        DUMP $2
        srl $2, $21, 0
        DUMP $2
        srl $2, $21, 1
        DUMP $2
        srl $2, $21, 31
        DUMP $2
        sra $2, $21, 0
        DUMP $2
        sra $2, $21, 1
        DUMP $2
        sra $2, $21, 31
        DUMP $2
        dsll $2, $18, 1
        DUMP $2
        dsll $2, $18, 31
        DUMP $2
        dsrl $2, $18, 7
        DUMP $2
        dsra $2, $18, 7
        DUMP $2
        dsll32 $2, $18, 0
        DUMP $2
        dsll32 $2, $18, 31
        DUMP $2
        dsrl32 $2, $18, 0
        DUMP $2
        dsrl32 $2, $18, 31
        DUMP $2
        dsra32 $2, $18, 0
        DUMP $2
        dsra32 $2, $18, 31
        DUMP $2
        addiu $2, $21, -1
        DUMP $2
        addiu $2, $21, 0x7fff
        DUMP $2
        daddiu $2, $18, -32768
        DUMP $2
        slti $2, $18, -1
        DUMP $2
        sltiu $2, $18, -1
        DUMP $2
        sltiu $2, $18, 5
        DUMP $2
        andi $2, $18, 0xffff
        DUMP $2
        ori $2, $18, 0x8001
        DUMP $2
        xori $2, $18, 0xa5a5
        DUMP $2
        clz $2, $21
        DUMP $2
        clo $2, $21
        DUMP $2
        dclz $2, $18
        DUMP $2
        dclo $2, $18
        DUMP $2
        li $19, 0                       # j
inner:
        dsll $1, $19, 3
        daddu $1, $1, $16
        ld $20, 0($1)                   # b
        sll $22, $20, 0
        addu $2, $21, $22
        DUMP $2
        subu $2, $21, $22
        DUMP $2
        daddu $2, $18, $20
        DUMP $2
        dsubu $2, $18, $20
        DUMP $2
        and $2, $18, $20
        DUMP $2
        or $2, $18, $20
        DUMP $2
        xor $2, $18, $20
        DUMP $2
        nor $2, $18, $20
        DUMP $2
        slt $2, $18, $20
        DUMP $2
        sltu $2, $18, $20
        DUMP $2
        sllv $2, $21, $22
        DUMP $2
        srlv $2, $21, $22
        DUMP $2
        srav $2, $21, $22
        DUMP $2
        dsllv $2, $18, $20
        DUMP $2
        dsrlv $2, $18, $20
        DUMP $2
        dsrav $2, $18, $20
        DUMP $2
        mul $2, $21, $22
        DUMP $2
        li $2, 77
        movz $2, $18, $20
        DUMP $2
        li $2, 77
        movn $2, $18, $20
        DUMP $2
        mult $21, $22
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        multu $21, $22
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        dmult $18, $20
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        dmultu $18, $20
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        sll $1, $20, 0
        beqz $1, skip32                 # 32-bit divisor is zero
        nop
        div $0, $21, $22
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        divu $0, $21, $22
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
skip32:
        beqz $20, skip64
        nop
        ddiv $0, $18, $20
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        ddivu $0, $18, $20
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
skip64:
        mthi $18
        mtlo $20
        mfhi $2
        DUMP $2
        mflo $2
        DUMP $2
        daddiu $19, $19, 1
        sltiu $1, $19, NVALUES
        bnez $1, inner
        nop
        daddiu $17, $17, 1
        sltiu $1, $17, NVALUES
        bnez $1, outer
        nop
        # A few pinned results (the pitfalls list), independent of any reference machine.
        dli $18, 0x123456789abcdef0
        li $20, 64
        dsllv $2, $18, $20              # count masked to 0
        CHECK $2, 0x123456789abcdef0, 10
        li $20, 65
        dsrlv $2, $18, $20
        CHECK $2, 0x091a2b3c4d5e6f78, 11
        li $18, -16
        sra $2, $18, 4
        CHECK $2, 0xffffffffffffffff, 12
        dli $18, 0x7fffffff
        addiu $2, $18, 1                # wraps to INT32_MIN, sign extended
        CHECK $2, 0xffffffff80000000, 13
        dli $18, 0xffffffff80000000
        li $20, -1
        div $0, $18, $20                # INT32_MIN / -1
        mflo $2
        CHECK $2, 0xffffffff80000000, 14
        mfhi $2
        CHECK $2, 0, 15
        dli $18, 0x8000000000000000
        ddiv $0, $18, $20               # INT64_MIN / -1
        mflo $2
        CHECK $2, 0x8000000000000000, 16
        li $18, -1
        li $20, -1
        multu $18, $20                  # 0xffffffff^2 = 0xfffffffe_00000001: both halves sign-extended
        mfhi $2
        CHECK $2, 0xfffffffffffffffe, 17
        mflo $2
        CHECK $2, 1, 18
        dclz $2, $0
        CHECK $2, 64, 19
        clo $2, $18
        CHECK $2, 32, 20
        FINISH
        LIBRARY

        .data
        .align 3
values:
        .dword 0, 1, -1, 2, 0x7fffffff, 0xffffffff80000000, 0x00000000ffffffff, 0x0000000080000000
        .dword 0x123456789abcdef0, 0x8000000000000000, 0x7fffffffffffffff, 31, 32, 63, 64, 0xfedcba9876543210
        .set NVALUES, 16
