# An invalid instruction (teq, a trap Cannon does not implement) is a VM panic.
# Prints "before the fault" and then must stop the VM with a panic (exit status 2 of rampart run).
        .include "lib.inc"
        BEGIN
        dla $5, msg
        li $4, 1
        li $6, 17
        li $2, 5001
        syscall
        teq $0, $0
        EXIT 0
        LIBRARY

        .data
msg:
        .ascii "before the fault\n"
