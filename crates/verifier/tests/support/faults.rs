//! Which verifier revert corresponds to which VM fault: shared by `vm_vs_verifier.rs` (random single steps) and
//! `bin/rampart/tests/differential.rs` (the faulting steps of the `fault-*` guests), both through `#[path]`.

use rampart_verifier::StepError;
use rampart_vm::VmError;

/// The verifier's reason for a step the VM refuses, when the VM's panic has an on-chain counterpart (`None` for
/// host-side errors: guest output too large, host I/O).
pub(crate) fn verifier_reason(vm: &VmError) -> Option<fn(&StepError) -> bool> {
    Some(match vm {
        VmError::InvalidInstruction(_) => |e| matches!(e, StepError::InvalidInstruction(_)),
        VmError::BranchInDelaySlot => |e| matches!(e, StepError::BranchInDelaySlot),
        VmError::JumpInDelaySlot => |e| matches!(e, StepError::JumpInDelaySlot),
        VmError::DivideByZero => |e| matches!(e, StepError::DivisionByZero),
        VmError::InvalidPc(_) => |e| matches!(e, StepError::InvalidPc(_)),
        VmError::UnrecognizedSyscall(_) => |e| matches!(e, StepError::UnimplementedSyscall(_)),
        VmError::PreimageOffsetOutOfBounds => |e| matches!(e, StepError::PreimageOutOfBounds { .. }),
        VmError::EmptyThreadStack => |e| matches!(e, StepError::ActiveStackEmpty | StepError::PostStateStackEmpty),
        VmError::Oracle(_) => |e| matches!(e, StepError::PreimageMissing(_)),
        VmError::WriteTooLarge(_) | VmError::Output(_) => return None,
    })
}

/// The VM's fault and the verifier's revert name the same thing, with the same operand where both carry one.
pub(crate) fn same_fault(vm: &VmError, v: &StepError) -> bool {
    let same_operand = match (vm, v) {
        (VmError::InvalidInstruction(a), StepError::InvalidInstruction(b)) => a == b,
        (VmError::InvalidPc(a), StepError::InvalidPc(b)) => a == b,
        (VmError::UnrecognizedSyscall(a), StepError::UnimplementedSyscall(b)) => a == b,
        _ => true,
    };
    verifier_reason(vm).is_some_and(|f| f(v)) && same_operand
}
