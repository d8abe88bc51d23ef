//! Filter expression text to tokens, as libpcap's scanner splits it.
//!
//! Words are runs of letters, digits and `_ . : -` (an IPv6 address, a MAC, `tcp-syn`,
//! `1-1023`), never ending in `-` or `.`; a `:` stays inside a word only when the word is an
//! IPv6 address or a MAC, so `ip[2:2]` splits at the colon as in libpcap.

use super::FilterError;
use arrayvec::ArrayVec;

/// How many tokens an expression may have.
pub(crate) const MAX_TOKENS: usize = 512;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A word; `true` when it was escaped with a backslash (`\tcp`).
    Word(bool),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Colon,
    Bang,
    AndAnd,
    OrOr,
    /// An arithmetic operator.
    Op(Op),
    /// A comparison.
    Cmp(Cmp),
    Slash,
    End,
}

/// Arithmetic operators, as BPF's ALU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
    Xor,
    Shl,
    Shr,
}

/// Comparisons of two 32-bit unsigned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One token with its place in the text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
    pub pos: usize,
}

fn word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-')
}

/// Whether `w` is written like an IPv6 address (a `::`, or eight groups) or a MAC (six groups).
fn keeps_colons(w: &str) -> bool {
    let colons = w.bytes().filter(|&c| c == b':').count();
    w.contains("::") || colons == 7 || colons == 5
}

/// The length of the word at the start of `s` (which starts with a word character).
fn word_len(s: &[u8]) -> usize {
    let mut n = s.iter().take_while(|&&c| word_char(c)).count();
    while n > 1 && matches!(s[n - 1], b'-' | b'.') {
        n -= 1;
    }
    let w = core::str::from_utf8(&s[..n]).unwrap_or("");
    if w.contains(':') && !keeps_colons(w) {
        n = w.find(':').unwrap_or(n).max(1);
        if s[0] == b':' {
            n = 0;
        }
    }
    n
}

/// Splits `src` into tokens, ending with [`Kind::End`].
pub(crate) fn tokens(src: &str) -> Result<ArrayVec<Token<'_>, MAX_TOKENS>, FilterError> {
    let b = src.as_bytes();
    let mut out = ArrayVec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let (kind, len) = match b.get(i..).unwrap_or(&[]) {
            [] => (Kind::End, 0),
            [b'&', b'&', ..] => (Kind::AndAnd, 2),
            [b'|', b'|', ..] => (Kind::OrOr, 2),
            [b'<', b'<', ..] => (Kind::Op(Op::Shl), 2),
            [b'>', b'>', ..] => (Kind::Op(Op::Shr), 2),
            [b'=', b'=', ..] => (Kind::Cmp(Cmp::Eq), 2),
            [b'!', b'=', ..] => (Kind::Cmp(Cmp::Ne), 2),
            [b'<', b'=', ..] => (Kind::Cmp(Cmp::Le), 2),
            [b'>', b'=', ..] => (Kind::Cmp(Cmp::Ge), 2),
            [b'=', ..] => (Kind::Cmp(Cmp::Eq), 1),
            [b'<', ..] => (Kind::Cmp(Cmp::Lt), 1),
            [b'>', ..] => (Kind::Cmp(Cmp::Gt), 1),
            [b'!', ..] => (Kind::Bang, 1),
            [b'(', ..] => (Kind::LParen, 1),
            [b')', ..] => (Kind::RParen, 1),
            [b'[', ..] => (Kind::LBrack, 1),
            [b']', ..] => (Kind::RBrack, 1),
            [b'/', ..] => (Kind::Slash, 1),
            [b'+', ..] => (Kind::Op(Op::Add), 1),
            [b'-', ..] => (Kind::Op(Op::Sub), 1),
            [b'*', ..] => (Kind::Op(Op::Mul), 1),
            [b'%', ..] => (Kind::Op(Op::Mod), 1),
            [b'&', ..] => (Kind::Op(Op::And), 1),
            [b'|', ..] => (Kind::Op(Op::Or), 1),
            [b'^', ..] => (Kind::Op(Op::Xor), 1),
            [b'\\', rest @ ..] if rest.first().is_some_and(|&c| word_char(c)) => {
                let n = word_len(rest);
                let tok = Token { kind: Kind::Word(true), text: &src[i + 1..i + 1 + n], pos: i };
                out.try_push(tok).map_err(|_| FilterError::too_long(i))?;
                i += 1 + n;
                continue;
            }
            [c, ..] if word_char(*c) && word_len(&b[i..]) > 0 => (Kind::Word(false), word_len(&b[i..])),
            [b':', ..] => (Kind::Colon, 1),
            _ => return Err(FilterError::syntax(&src[i..], i, "an operator, a word or a number")),
        };
        let tok = Token { kind, text: &src[i..i + len], pos: i };
        out.try_push(tok).map_err(|_| FilterError::too_long(i))?;
        if kind == Kind::End {
            return Ok(out);
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> std::vec::Vec<&str> {
        tokens(s).unwrap().iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_like_libpcap() {
        assert_eq!(words("ip[2:2] - 4"), ["ip", "[", "2", ":", "2", "]", "-", "4", ""]);
        assert_eq!(words("host fe80::1 and ::1"), ["host", "fe80::1", "and", "::1", ""]);
        assert_eq!(words("ether host 02:00:00:00:00:01"), ["ether", "host", "02:00:00:00:00:01", ""]);
        assert_eq!(
            words("tcp[tcpflags]&tcp-syn!=0"),
            ["tcp", "[", "tcpflags", "]", "&", "tcp-syn", "!=", "0", ""]
        );
        assert_eq!(words("portrange 1-1023||!arp"), ["portrange", "1-1023", "||", "!", "arp", ""]);
        assert_eq!(words("proto \\udp"), ["proto", "udp", ""]);
        assert_eq!(words("net 10.0.0.0/8"), ["net", "10.0.0.0", "/", "8", ""]);
        assert!(tokens("host 1.2.3.4 $").is_err());
    }
}
