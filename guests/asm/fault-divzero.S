# Integer division by zero is a VM panic in Cannon (qemu leaves the result unpredictable).
# Prints "before the fault" and then must stop the VM with a panic (exit status 2 of rampart run).
        .include "lib.inc"
        BEGIN
        dla $5, msg
        li $4, 1
        li $6, 17
        li $2, 5001
        syscall
        li $16, 1
        div $0, $16, $0
        EXIT 0
        LIBRARY

        .data
msg:
        .ascii "before the fault\n"
