//! [`Timestamp`]: when a frame was captured, as seconds and nanoseconds since the Unix epoch;
//! the one time type of capture reading and writing.
//!
//! ```
//! use vxwire::Timestamp;
//! let t = Timestamp::new(1_700_000_000, 123_456_789).ok_or("nanoseconds out of range")?;
//! assert_eq!(t.to_string(), "1700000000.123456789");
//! assert_eq!(t.micros(), 123_456);
//! assert_eq!(Timestamp::from_micros(1, 5).nanos(), 5_000);
//! assert!(Timestamp::from_micros(1, 5) < t);
//! # Ok::<(), &str>(())
//! ```

use core::fmt;

/// Seconds since the Unix epoch (negative before it) and nanoseconds within the second
/// (0–999 999 999). Ordered by time; `Display` writes `secs.nnnnnnnnn`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// A timestamp, or `None` when `nanos` is a second or more.
    pub const fn new(secs: i64, nanos: u32) -> Option<Timestamp> {
        if nanos < 1_000_000_000 {
            Some(Timestamp { secs, nanos })
        } else {
            None
        }
    }

    /// A timestamp from seconds and microseconds, as pcap's microsecond records hold it;
    /// microseconds of a second or more carry into the seconds.
    pub const fn from_micros(secs: i64, micros: u32) -> Timestamp {
        Timestamp::from_parts(secs, micros as u64 * 1000)
    }

    /// A timestamp from seconds and any number of nanoseconds (carried into the seconds).
    pub const fn from_parts(secs: i64, nanos: u64) -> Timestamp {
        let carry = (nanos / 1_000_000_000) as i64;
        Timestamp { secs: secs.saturating_add(carry), nanos: (nanos % 1_000_000_000) as u32 }
    }

    /// Whole seconds since the Unix epoch.
    pub const fn secs(self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub const fn nanos(self) -> u32 {
        self.nanos
    }

    /// Microseconds within the second (the nanoseconds truncated, as tcpdump prints them).
    pub const fn micros(self) -> u32 {
        self.nanos / 1000
    }

    /// Nanoseconds since the Unix epoch.
    pub const fn as_nanos(self) -> i128 {
        self.secs as i128 * 1_000_000_000 + self.nanos as i128
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::display::padded(f, |w| write!(w, "{}.{:09}", self.secs, self.nanos))
    }
}

#[cfg(feature = "std")]
impl From<std::time::SystemTime> for Timestamp {
    /// The time since the Unix epoch (negative for earlier times).
    fn from(t: std::time::SystemTime) -> Timestamp {
        match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Timestamp::from_parts(
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                u64::from(d.subsec_nanos()),
            ),
            Err(e) => {
                let d = e.duration();
                let secs = -i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => Timestamp { secs, nanos: 0 },
                    n => Timestamp { secs: secs - 1, nanos: 1_000_000_000 - n },
                }
            }
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn parts_carry_and_order() {
        assert_eq!(Timestamp::from_micros(1, 2_000_001), Timestamp::new(3, 1_000).unwrap());
        assert_eq!(Timestamp::new(0, 1_000_000_000), None);
        assert_eq!(Timestamp::new(-1, 5).unwrap().as_nanos(), -999_999_995);
        let before = std::time::UNIX_EPOCH - std::time::Duration::from_millis(1500);
        assert_eq!(Timestamp::from(before), Timestamp::new(-2, 500_000_000).unwrap());
        assert_eq!(std::format!("{:>22}", Timestamp::new(5, 7).unwrap()), "           5.000000007");
    }
}
