# A jump to a misaligned pc is a VM panic (InvalidPC).
# Prints "before the fault" and then must stop the VM with a panic (exit status 2 of rampart run).
        .include "lib.inc"
        BEGIN
        dla $5, msg
        li $4, 1
        li $6, 17
        li $2, 5001
        syscall
        dla $16, 1f
        daddiu $16, $16, 2
        jr $16
        nop
1:
        EXIT 0
        LIBRARY

        .data
msg:
        .ascii "before the fault\n"
