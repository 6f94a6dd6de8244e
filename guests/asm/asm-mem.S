# Loads and stores of every width at every byte lane (big-endian lanes, sign/zero extension), the unaligned
# pairs lwl/lwr, ldl/ldr, swl/swr, sdl/sdr at every offset over a register with known contents, and LL/SC,
# LLD/SCD success and failure (no reservation, wrong address, reservation cleared by a store or a successful SC).
# Output is compared byte for byte with qemu-mips64; lwr at offsets 0-2 (Cannon keeps the upper word) is
# in cannon-quirks instead.
        .include "lib.inc"
        BEGIN
        dla $16, pattern
        dli $17, 0x1111111122222222     # preset for the partial loads
        li $18, 0                       # byte offset 0..7 (plus 8..15 for the second word)
lanes:
        daddu $19, $16, $18
        lb $2, 0($19)
        DUMP $2
        lbu $2, 0($19)
        DUMP $2
        andi $1, $18, 1
        bnez $1, odd
        nop
        lh $2, 0($19)
        DUMP $2
        lhu $2, 0($19)
        DUMP $2
odd:
        andi $1, $18, 3
        bnez $1, notword
        nop
        lw $2, 0($19)
        DUMP $2
        lwu $2, 0($19)
        DUMP $2
notword:
        move $2, $17
        lwl $2, 0($19)
        DUMP $2
        andi $1, $18, 3
        li $9, 3
        bne $1, $9, nolwr
        nop
        move $2, $17
        lwr $2, 0($19)
        DUMP $2
nolwr:
        move $2, $17
        ldl $2, 0($19)
        DUMP $2
        move $2, $17
        ldr $2, 0($19)
        DUMP $2
        move $2, $17
        ldl $2, 0($19)
        ldr $2, 7($19)                  # the unaligned-doubleword idiom
        DUMP $2
        # Stores: reset a scratch doubleword pair, store, read both words back.
        dla $20, scratch
        dli $3, 0xa0a1a2a3a4a5a6a7
        sd $3, 0($20)
        sd $3, 8($20)
        andi $21, $18, 7
        daddu $21, $21, $20             # scratch + (offset & 7)
        dli $3, 0x0102030405060708
        sb $3, 0($21)
        ld $2, 0($20)
        DUMP $2
        andi $1, $18, 1
        bnez $1, nosh
        nop
        dli $3, 0xa0a1a2a3a4a5a6a7
        sd $3, 0($20)
        dli $3, 0x0102030405060708
        sh $3, 0($21)
        ld $2, 0($20)
        DUMP $2
nosh:
        andi $1, $18, 3
        bnez $1, nosw
        nop
        dli $3, 0xa0a1a2a3a4a5a6a7
        sd $3, 0($20)
        dli $3, 0x0102030405060708
        sw $3, 0($21)
        ld $2, 0($20)
        DUMP $2
nosw:
        .irp op, swl, swr, sdl, sdr
        dli $3, 0xa0a1a2a3a4a5a6a7
        sd $3, 0($20)
        sd $3, 8($20)
        dli $3, 0x0102030405060708
        \op $3, 0($21)
        ld $2, 0($20)
        DUMP $2
        ld $2, 8($20)
        DUMP $2
        .endr
        dli $3, 0xa0a1a2a3a4a5a6a7
        sd $3, 0($20)
        sd $3, 8($20)
        dli $3, 0x0102030405060708
        sdl $3, 0($21)                  # the unaligned-store idiom
        sdr $3, 7($21)
        ld $2, 0($20)
        DUMP $2
        ld $2, 8($20)
        DUMP $2
        daddiu $18, $18, 1
        sltiu $1, $18, 16
        bnez $1, lanes
        nop

        # LL/SC
        dla $20, scratch
        li $3, 5
        sd $3, 0($20)
        ll $2, 4($20)
        DUMP $2
        li $4, 9
        sc $4, 4($20)                   # success
        DUMP $4
        ld $2, 0($20)
        DUMP $2
        li $4, 10
        sc $4, 4($20)                   # reservation consumed: fails
        DUMP $4
        ld $2, 0($20)
        DUMP $2
        ll $2, 4($20)
        li $3, 123
        sw $3, 4($20)                   # a store to the reserved word clears it
        li $4, 11
        sc $4, 4($20)
        DUMP $4
        ld $2, 0($20)
        DUMP $2
        ll $2, 4($20)
        li $4, 12
        sc $4, 0($20)                   # other address: fails
        DUMP $4
        ld $2, 0($20)
        DUMP $2
        lld $2, 8($20)
        DUMP $2
        dli $4, 0x0123456789abcdef
        scd $4, 8($20)
        DUMP $4
        ld $2, 8($20)
        DUMP $2
        dli $4, 0x1111
        scd $4, 8($20)
        DUMP $4
        ld $2, 8($20)
        DUMP $2
        lld $2, 8($20)
        sd $0, 8($20)                   # store of a different value to the reserved doubleword
        li $4, 7
        scd $4, 8($20)
        DUMP $4
        ld $2, 8($20)
        DUMP $2
        # pinned values (pitfalls): ldr at lane 7 replaces the whole register; lwl at 0 is a plain lw.
        dla $16, pattern
        dli $2, 0x1111111122222222
        ldr $2, 7($16)
        CHECK $2, 0x0011223344556677, 20
        dli $2, 0x1111111122222222
        ldl $2, 0($16)
        CHECK $2, 0x0011223344556677, 21
        dli $2, 0x1111111122222222
        lwl $2, 4($16)
        CHECK $2, 0x44556677, 22
        dli $2, 0x1111111122222222
        ldl $2, 3($16)
        CHECK $2, 0x3344556677222222, 23
        FINISH
        LIBRARY

        .data
        .align 3
pattern:
        .dword 0x0011223344556677, 0x8899aabbccddeeff, 0xf0e1d2c3b4a59687
scratch:
        .dword 0, 0, 0
