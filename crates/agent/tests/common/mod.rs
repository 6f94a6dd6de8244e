//! Shared set-up: the bundled dataset and the committed fault-proof program.
#![allow(dead_code)]

use rampart_agent::dispute::{program_prestate, runner};
use rampart_agent::{DevnetData, ProgramRunner};
use rampart_vm::State;
use std::rc::Rc;

pub(crate) fn data() -> DevnetData {
    DevnetData::bundled().expect("bundled dataset")
}

pub(crate) fn elf() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/rampart-program.elf")).expect("program ELF")
}

pub(crate) fn prestate() -> State {
    program_prestate(&elf()).expect("program loads")
}

pub(crate) fn program_runner(data: &DevnetData) -> Rc<ProgramRunner> {
    runner(data, prestate())
}
