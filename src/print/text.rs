//! tcpdump-compatible text output.

use super::PacketInfo;
use crate::dissect::Dissection;
use std::io::{self, Write};

/// Writes one packet in tcpdump's `-nn -v` style.
///
/// # Errors
/// Any error of `out`.
pub fn write_packet(out: &mut dyn Write, info: &PacketInfo, d: &Dissection<'_>) -> io::Result<()> {
    write!(out, "{}:", info.n)?;
    for l in d.layers() {
        write!(out, " {}", l.header.proto().name())?;
    }
    writeln!(out)
}
