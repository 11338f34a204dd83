//! The log writer: every event is exactly one line. A value that carries a line break or
//! another control character (a JWT header's `kid`, a path, a header) is written as its
//! `\u{..}` escape, so nobody can forge a log line, whatever field or format it goes
//! through. The JSON format escapes its strings already; text does not.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

/// Makes [`OneLine`] writers over standard error.
#[derive(Clone, Copy)]
pub struct OneLineStderr {
    /// Keep ESC: the text format colours its output on a terminal.
    pub keep_escape: bool,
}

impl<'a> MakeWriter<'a> for OneLineStderr {
    type Writer = OneLine<io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        OneLine { inner: io::stderr(), keep_escape: self.keep_escape }
    }
}

/// Writes one formatted event (the subscriber hands it over whole), escaping every control
/// character but the final newline.
pub struct OneLine<W> {
    inner: W,
    keep_escape: bool,
}

impl<W: Write> Write for OneLine<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let (body, end) = match buf.strip_suffix(b"\n") {
            Some(body) => (body, &b"\n"[..]),
            None => (buf, &b""[..]),
        };
        let hidden = |b: &u8| b.is_ascii_control() && !(self.keep_escape && *b == 0x1b);
        if !body.iter().any(hidden) {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut out = Vec::with_capacity(buf.len() + 16);
        for b in body {
            if hidden(b) {
                out.extend_from_slice(format!("\\u{{{b:x}}}").as_bytes());
            } else {
                out.push(*b);
            }
        }
        out.extend_from_slice(end);
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(input: &[u8], keep_escape: bool) -> String {
        let mut writer = OneLine { inner: Vec::new(), keep_escape };
        writer.write_all(input).unwrap();
        String::from_utf8(writer.inner).unwrap()
    }

    #[test]
    fn inner_line_breaks_and_controls_are_escaped_and_the_last_newline_kept() {
        assert_eq!(written(b"a kid=x\nFORGED\r\n", false), "a kid=x\\u{a}FORGED\\u{d}\n");
        assert_eq!(written(b"tab\there\n", false), "tab\\u{9}here\n");
        assert_eq!(written(b"plain line\n", false), "plain line\n");
        assert_eq!(written("caf\u{e9}\n".as_bytes(), false), "caf\u{e9}\n");
        assert_eq!(written(b"\x1b[2mdim\x1b[0m\n", true), "\x1b[2mdim\x1b[0m\n");
        assert_eq!(written(b"\x1b[2m\n", false), "\\u{1b}[2m\n");
    }
}
