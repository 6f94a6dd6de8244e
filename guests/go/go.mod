module rampart/guests

go 1.24
