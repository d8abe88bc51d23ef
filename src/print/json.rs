//! One JSON object per packet (`vxdump --json`); the schema is in the README.

use super::PacketInfo;
use crate::dissect::Dissection;
use std::io::{self, Write};

/// Writes one packet as a JSON object followed by a newline.
///
/// # Errors
/// Any error of `out`.
pub fn write_packet(out: &mut dyn Write, info: &PacketInfo, d: &Dissection<'_>) -> io::Result<()> {
    write!(out, "{{\"n\":{},\"caplen\":{},\"len\":{},\"layers\":[", info.n, info.caplen, info.len)?;
    for (i, l) in d.layers().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write!(out, "{{\"proto\":{}}}", serde_json::Value::from(l.header.proto().name()))?;
    }
    out.write_all(b"]}\n")
}
