# Behaviour where Cannon (and MIPS64.sol) deliberately differs from real MIPS64 / qemu, pinned with constants
# from the spec (cannon-mt64.md §4, §5, §14): exits with the number of the first failing check, prints
# "cannon quirks ok" when all hold. Runs only in Rampart's VM (qemu would trap or compute otherwise).
        .include "lib.inc"
        BEGIN
        dla $16, pattern
        # lwr with vaddr&3 != 3 keeps the upper word of rt.
        dli $2, 0x1111111122222222
        lwr $2, 1($16)
        CHECK $2, 0x1111111122220011, 1
        dli $2, 0x1111111122222222
        lwr $2, 3($16)                  # vaddr&3 == 3: whole word, sign-extended from bit 31
        CHECK $2, 0x0000000000112233, 2
        dli $2, 0x1111111122222222
        lwr $2, 7($16)
        CHECK $2, 0x0000000044556677, 3
        # No overflow traps.
        dli $18, 0x7fffffff
        li $19, 1
        add $2, $18, $19
        CHECK $2, 0xffffffff80000000, 4
        addi $2, $18, 1
        CHECK $2, 0xffffffff80000000, 5
        dli $18, 0x7fffffffffffffff
        dadd $2, $18, $19
        CHECK $2, 0x8000000000000000, 6
        daddi $2, $18, 1
        CHECK $2, 0x8000000000000000, 7
        dli $18, 0x8000000000000000
        dsub $2, $18, $19
        CHECK $2, 0x7fffffffffffffff, 8
        # 32-bit shifts and multiplies ignore the upper half of non-sign-extended inputs.
        dli $18, 0x12345678f0000000
        sra $2, $18, 4
        CHECK $2, 0xffffffffff000000, 9
        dli $18, 0x1234567880000000
        srl $2, $18, 4
        CHECK $2, 0x0000000008000000, 10
        dli $18, 0x00000000ffffffff
        sra $2, $18, 4
        CHECK $2, 0xffffffffffffffff, 11
        dli $18, 0x0000000100000002
        li $19, 3
        mult $18, $19
        mflo $2
        CHECK $2, 6, 12
        mul $2, $18, $19
        CHECK $2, 6, 13
        # mul leaves HI/LO alone.
        li $3, 0x55
        mthi $3
        mul $2, $19, $19
        mfhi $2
        CHECK $2, 0x55, 14
        # Unknown REGIMM rt (bgezl $0: always taken on real MIPS) is a never-taken branch in Cannon.
        li $20, 0
        .word (1 << 26) | (0 << 21) | (3 << 16) | 2
        daddiu $20, $20, 1
        daddiu $20, $20, 16
        CHECK $20, 17, 15
        # mthi with rd != 0 writes 0 to rd; sync with rd != 0 writes rs to rd.
        li $18, 77
        li $20, 5
        .word (18 << 21) | (20 << 11) | 0x11
        CHECK $20, 0, 16
        mfhi $2
        CHECK $2, 77, 17
        li $21, 5
        .word (18 << 21) | (21 << 11) | 0x0f
        CHECK $21, 77, 18
        # Misaligned data addresses are silently aligned.
        lh $2, 1($16)
        CHECK $2, 0x0011, 19
        lw $2, 2($16)
        CHECK $2, 0x00112233, 20
        ld $2, 3($16)
        CHECK $2, 0x0011223344556677, 21
        # A store of the same value to the reserved word still clears the reservation.
        dla $20, scratch
        li $3, 5
        sw $3, 0($20)
        ll $2, 0($20)
        sw $3, 0($20)
        li $4, 9
        sc $4, 0($20)
        CHECK $4, 0, 22
        # sc at an unaligned address equal to the ll address succeeds (exact compare).
        ll $2, 1($20)
        li $4, 9
        sc $4, 1($20)
        CHECK $4, 1, 23
        lw $2, 0($20)
        CHECK $2, 9, 24
        # Syscall errors: $v0 = errno (positive), $a3 = all ones.
        li $4, 99
        dla $5, scratch
        li $6, 8
        li $2, 5000                     # read(99, ...) -> EBADF
        syscall
        CHECK $2, 9, 25
        CHECK $7, 0xffffffffffffffff, 26
        # A successful syscall sets $a3 = 0.
        li $7, 1234
        li $2, 5038                     # getpid
        syscall
        CHECK $7, 0, 27
        dla $5, okmsg
        li $4, 1
        li $6, 17
        li $2, 5001
        syscall
        EXIT 0
        LIBRARY

        .data
        .align 3
pattern:
        .dword 0x0011223344556677, 0x8899aabbccddeeff
scratch:
        .dword 0, 0
okmsg:
        .ascii "cannon quirks ok\n"
