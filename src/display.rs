//! `Display` that honours width and alignment (`{v:<40}`) for values whose text is written in
//! pieces, without allocating: the text goes to a stack buffer, then through `Formatter::pad`.

use core::fmt::{self, Write};

/// At most this many bytes of a value's text are padded; longer texts are written unpadded.
const CAP: usize = 256;

struct StackBuf {
    b: [u8; CAP],
    len: usize,
    overflow: bool,
}

impl Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match self.b.get_mut(self.len..self.len + s.len()) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len += s.len();
                Ok(())
            }
            None => {
                self.overflow = true;
                Err(fmt::Error)
            }
        }
    }
}

/// Writes what `write` writes to `f`, padded to `f`'s width and alignment when it has one.
pub(crate) fn padded(
    f: &mut fmt::Formatter<'_>,
    write: impl Fn(&mut dyn Write) -> fmt::Result,
) -> fmt::Result {
    if f.width().is_none() && f.precision().is_none() {
        return write(f);
    }
    let mut buf = StackBuf { b: [0; CAP], len: 0, overflow: false };
    if write(&mut buf).is_err() && buf.overflow {
        return write(f);
    }
    // Only whole `&str`s were copied in, so the bytes are UTF-8.
    f.pad(core::str::from_utf8(&buf.b[..buf.len]).map_err(|_| fmt::Error)?)
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    struct V(u32);
    impl fmt::Display for V {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            padded(f, |w| write!(w, "v{}-{}", self.0, self.0 + 1))
        }
    }

    #[test]
    fn pads_and_aligns() {
        assert_eq!(std::format!("[{}]", V(1)), "[v1-2]");
        assert_eq!(std::format!("[{:<7}]", V(1)), "[v1-2   ]");
        assert_eq!(std::format!("[{:>7}]", V(1)), "[   v1-2]");
        assert_eq!(std::format!("[{:^8}]", V(1)), "[  v1-2  ]");
        assert_eq!(std::format!("[{:.2}]", V(1)), "[v1]");
    }
}
