//! Time stamps (tcpdump's `-t` family) and the local time zone, as glibc's `localtime` finds it.

use super::*;

impl TextPrinter {
    pub(super) fn timestamp(&mut self, info: &PacketInfo) {
        // `usec` is the fraction in the printed unit: micro- or nanoseconds.
        let (usec, digits) = if self.opts.nano { (info.ts_nsec, 9) } else { (info.ts_nsec / 1000, 6) };
        match self.opts.ts {
            TsFormat::None => {}
            TsFormat::Time => {
                let hms = match self.ts_cache {
                    Some((sec, text)) if sec == info.ts_sec => text,
                    _ => {
                        let off = self.tz.offset(info.ts_sec);
                        let s = (info.ts_sec + off).rem_euclid(86400) as u64;
                        let two = |v: u64| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
                        let (h, m, sec) = (two(s / 3600), two(s / 60 % 60), two(s % 60));
                        let text = [h[0], h[1], b':', m[0], m[1], b':', sec[0], sec[1], b'.'];
                        self.ts_cache = Some((info.ts_sec, text));
                        text
                    }
                };
                self.out.raw(&hms).u0(u64::from(usec), digits).c(b' ');
            }
            TsFormat::Epoch => {
                self.out.i(info.ts_sec).c(b'.').u0(u64::from(usec), digits).c(b' ');
            }
            TsFormat::DateTime => {
                let off = self.tz.offset(info.ts_sec);
                let t = info.ts_sec + off;
                let (y, m, dd) = civil_from_days(t.div_euclid(86400));
                self.out.i(y).c(b'-').u0(u64::from(m), 2).c(b'-').u0(u64::from(dd), 2).c(b' ');
                self.hms(t, usec);
                self.out.c(b' ');
            }
            TsFormat::Delta | TsFormat::SinceFirst => {
                if let Some(list) = &mut self.deferred {
                    let at = (self.out.b.len() - self.base) as u32;
                    list.push(Deferred::Ts { at, sec: info.ts_sec, frac: usec });
                } else {
                    self.relative_ts(info.ts_sec, usec);
                }
            }
        }
    }

    /// A `-ttt` (since the previous packet) or `-ttttt` (since the first) time stamp; `frac` is
    /// in the printed unit.
    pub(super) fn relative_ts(&mut self, sec: i64, frac: u32) {
        let per_sec: i128 = if self.opts.nano { 1_000_000_000 } else { 1_000_000 };
        let (ps, pu) = self.prev_ts.unwrap_or((sec, frac));
        let diff = (i128::from(sec) - i128::from(ps)) * per_sec + i128::from(frac) - i128::from(pu);
        // tcpdump leaves a sign column in front of relative times.
        self.out.c(if diff < 0 { b'-' } else { b' ' });
        let a = diff.unsigned_abs();
        self.hms((a / per_sec as u128) as i64, (a % per_sec as u128) as u32);
        self.out.c(b' ');
        if self.opts.ts == TsFormat::Delta || self.prev_ts.is_none() {
            self.prev_ts = Some((sec, frac));
        }
    }

    pub(super) fn hms(&mut self, t: i64, frac: u32) {
        let s = t.rem_euclid(86400) as u64;
        let digits = if self.opts.nano { 9 } else { 6 };
        self.out.u0(s / 3600, 2).c(b':').u0(s / 60 % 60, 2).c(b':').u0(s % 60, 2);
        self.out.c(b'.').u0(u64::from(frac), digits);
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01.
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The time zone local times are printed in, found as glibc's `localtime` (tcpdump's) finds it:
/// `TZ` unset: `/etc/localtime`; `TZ` empty: UTC; otherwise, after an optional leading `:`, a
/// TZif file (an absolute path, or a name under `$TZDIR`, default `/usr/share/zoneinfo`), else a
/// POSIX rule such as `EST5EDT,M3.2.0,M11.1.0`, else UTC (`None`).
///
/// Only offsets are printed, never zone names, so the zone is read directly: jiff's
/// `TimeZone::try_system` also indexes the whole zoneinfo tree to learn the zone's name, about a
/// millisecond of directory reads per run.
pub(super) fn local_zone() -> Option<jiff::tz::TimeZone> {
    use jiff::tz::TimeZone;
    use std::path::PathBuf;
    let tzif = |path: PathBuf| std::fs::read(path).ok().and_then(|d| TimeZone::tzif("localtime", &d).ok());
    let Some(tz) = std::env::var_os("TZ") else { return tzif(PathBuf::from("/etc/localtime")) };
    let tz = tz.to_str()?;
    let tz = tz.strip_prefix(':').unwrap_or(tz);
    if tz.is_empty() {
        return None;
    }
    let path = if tz.starts_with('/') {
        PathBuf::from(tz)
    } else {
        PathBuf::from(std::env::var_os("TZDIR").unwrap_or_else(|| "/usr/share/zoneinfo".into())).join(tz)
    };
    tzif(path).or_else(|| TimeZone::posix(tz).ok())
}

/// The local time zone's UTC offset, cached per 15-minute slot (offsets change on such bounds).
pub(super) struct TzCache {
    /// The local time zone ([`local_zone`]), looked up on first use (`None` inside: UTC), so that
    /// runs that never print a local time (`--json`, `--summary`, `-tt`, or a `--vni` that
    /// matches nothing) do not read it.
    tz: Option<Option<jiff::tz::TimeZone>>,
    slot: i64,
    offset: i64,
}

impl TzCache {
    pub(super) fn system() -> TzCache {
        TzCache { tz: None, slot: i64::MIN, offset: 0 }
    }

    pub(super) fn offset(&mut self, secs: i64) -> i64 {
        let slot = secs.div_euclid(900);
        if slot != self.slot {
            self.slot = slot;
            let tz = self.tz.get_or_insert_with(local_zone);
            self.offset = match (&*tz, jiff::Timestamp::from_second(secs)) {
                (Some(tz), Ok(ts)) => i64::from(tz.to_offset(ts).seconds()),
                _ => 0,
            };
        }
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_684), (2023, 11, 23));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
