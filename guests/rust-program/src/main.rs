//! Rampart's fault-proof program as a MIPS64 guest: kona-client's single-chain flow (`rampart_program::run`) over
//! the FPVM preimage oracle (hints out on fd 4, acks in on fd 3; keys out on fd 6, length ‖ data in on fd 5),
//! with the standard local keys 1-7. Exit 0: the claim is valid; 1: invalid claim or any error (printed on
//! stderr); 2: panic.
#![no_std]
#![no_main]

extern crate alloc;

use guest_rt::{entry, eprintln, fd, read, write_all, Args};
use rampart_preimage::{Channel, ChannelError};
use rampart_program::ChannelOracle;

/// One oracle channel as a pair of guest file descriptors.
struct FdChannel {
    read_fd: u64,
    write_fd: u64,
}

impl Channel for FdChannel {
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ChannelError> {
        let mut done = 0;
        while done < buf.len() {
            match read(self.read_fd, &mut buf[done..]) {
                Ok(0) => return Err(ChannelError::Closed),
                Ok(n) => done += n,
                Err(_) => return Err(ChannelError::Io(alloc::string::String::from("read failed"))),
            }
        }
        Ok(())
    }

    fn write_all(&mut self, buf: &[u8]) -> Result<(), ChannelError> {
        if write_all(self.write_fd, buf) {
            Ok(())
        } else {
            Err(ChannelError::Closed)
        }
    }
}

fn main(_args: &Args) -> i32 {
    let oracle = ChannelOracle::new(
        FdChannel { read_fd: fd::PREIMAGE_READ, write_fd: fd::PREIMAGE_WRITE },
        FdChannel { read_fd: fd::HINT_READ, write_fd: fd::HINT_WRITE },
    );
    match rampart_program::run(oracle) {
        Ok(_) => 0,
        Err(e) => {
            eprintln!("Program encountered fatal error: {e}");
            1
        }
    }
}

entry!(main);
