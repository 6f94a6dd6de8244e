//! Preimage oracle end-to-end guest: runs `rampart_preimage::selftest` over the FPVM oracle fds (hints out on
//! 4, acks in on 3; keys out on 6, length ‖ data in on 5). It reads local keys 1..5, sends `l2-state-node` hints,
//! follows a chain of keccak256 preimages from the agreed output root to the claim, checking every value's
//! keccak256 itself, prints a digest of everything read and exits 0 (1 if any check fails).
#![no_std]
#![no_main]

extern crate alloc;

use guest_rt::{entry, fd, println, read, write_all, Args};
use rampart_preimage::selftest;
use rampart_preimage::{Channel, ChannelError, HintWriter, OracleReader};

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
    let mut hints = HintWriter::new(FdChannel { read_fd: fd::HINT_READ, write_fd: fd::HINT_WRITE });
    let mut oracle = OracleReader::new(FdChannel { read_fd: fd::PREIMAGE_READ, write_fd: fd::PREIMAGE_WRITE });
    match selftest::run(&mut hints, &mut oracle) {
        Ok(report) => {
            guest_rt::print!("{report}");
            0
        }
        Err(e) => {
            println!("oracle-e2e: FAILED: {e}");
            1
        }
    }
}

entry!(main);
