//! Strings that an ECMAScript pattern probably matches, drawn from the pattern itself: enough
//! of the syntax for the patterns real schemas hold (dates, ids, host names: literals,
//! classes, `\d`-style escapes, groups, alternation, quantifiers). Look-around is skipped, so a
//! sample may not match; callers check every sample with the checker and keep those that do.

/// Which way a sample goes where the pattern offers a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Take the last branch of each alternation instead of the first.
    pub last_branch: bool,
    /// Repeat each quantified atom once more than its minimum (where its maximum allows).
    pub one_more: bool,
}

impl Choice {
    /// Every choice, the plainest first.
    pub const ALL: [Choice; 4] = [
        Choice {
            last_branch: false,
            one_more: false,
        },
        Choice {
            last_branch: false,
            one_more: true,
        },
        Choice {
            last_branch: true,
            one_more: false,
        },
        Choice {
            last_branch: true,
            one_more: true,
        },
    ];
}

/// A string drawn from `pattern` as `choice` says; `None` when the pattern uses syntax this
/// does not read.
pub fn sample(pattern: &str, choice: Choice) -> Option<String> {
    let mut parser = Parser {
        chars: pattern.chars().collect(),
        at: 0,
        choice,
    };
    let out = parser.alternation()?;
    (parser.at == parser.chars.len()).then_some(out)
}

/// The samples of every [`Choice`], without repeats.
pub fn samples(pattern: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for choice in Choice::ALL {
        if let Some(s) = sample(pattern, choice) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    choice: Choice,
}

/// Characters a negated class may pick from.
const FALLBACK_CHARS: &str = "a0x_-Z.9 ";

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        Some(c)
    }

    /// `a|b|c` up to the end or a `)`: the chosen branch's sample.
    fn alternation(&mut self) -> Option<String> {
        let mut branches = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.at += 1;
            branches.push(self.sequence()?);
        }
        if self.choice.last_branch {
            branches.pop()
        } else {
            Some(branches.swap_remove(0))
        }
    }

    fn sequence(&mut self) -> Option<String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let (min, max) = self.quantifier()?;
            let times = if self.choice.one_more && max.is_none_or(|max| max > min) {
                min + 1
            } else {
                min
            };
            for _ in 0..times {
                out.push_str(&atom);
            }
        }
        Some(out)
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (lazy or not) after an atom: (min, max).
    fn quantifier(&mut self) -> Option<(usize, Option<usize>)> {
        let bounds = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let close = self.chars[self.at..].iter().position(|&c| c == '}')?;
                let inner: String = self.chars[self.at + 1..self.at + close].iter().collect();
                let (min, max) = match inner.split_once(',') {
                    None => (inner.parse().ok()?, Some(inner.parse().ok()?)),
                    Some((min, "")) => (min.parse().ok()?, None),
                    Some((min, max)) => (min.parse().ok()?, Some(max.parse().ok()?)),
                };
                self.at += close;
                (min, max)
            }
            _ => return Some((1, Some(1))),
        };
        self.at += 1;
        if self.peek() == Some('?') {
            self.at += 1;
        }
        Some(bounds)
    }

    fn atom(&mut self) -> Option<String> {
        match self.next()? {
            '^' | '$' => Some(String::new()),
            '.' => Some("a".to_owned()),
            '(' => self.group(),
            '[' => self.class().map(String::from),
            '\\' => self.escape(),
            '*' | '+' | '?' | '{' => None,
            c => Some(c.to_string()),
        }
    }

    /// After `(`: a group's sample; look-around matches nothing.
    fn group(&mut self) -> Option<String> {
        let mut look_around = false;
        if self.peek() == Some('?') {
            self.at += 1;
            match self.next()? {
                ':' => {}
                '=' | '!' => look_around = true,
                '<' if matches!(self.peek(), Some('=' | '!')) => {
                    self.at += 1;
                    look_around = true;
                }
                '<' => {
                    // A named group: skip the name.
                    while self.next()? != '>' {}
                }
                _ => return None,
            }
        }
        let inner = self.alternation()?;
        (self.next()? == ')').then_some(if look_around { String::new() } else { inner })
    }

    /// After `\` outside a class.
    fn escape(&mut self) -> Option<String> {
        Some(match self.next()? {
            'b' | 'B' => String::new(),
            c => class_escape(c, self)?.to_string(),
        })
    }

    /// After `[`: one character the class holds.
    fn class(&mut self) -> Option<char> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut items: Vec<(char, char)> = Vec::new();
        let mut first = true;
        loop {
            let c = self.next()?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let low = if c == '\\' {
                let e = self.next()?;
                if let Some(set) = escape_set(e) {
                    items.extend(set);
                    continue;
                }
                class_escape(e, self)?
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&c| c != ']') {
                self.at += 1;
                let mut high = self.next()?;
                if high == '\\' {
                    high = class_escape(self.next()?, self)?;
                }
                items.push((low, high));
            } else {
                items.push((low, low));
            }
        }
        let holds = |c: char| items.iter().any(|&(low, high)| low <= c && c <= high);
        if negated {
            FALLBACK_CHARS.chars().find(|&c| !holds(c))
        } else {
            items.first().map(|&(low, _)| low)
        }
    }
}

/// The ranges `\d`, `\w`, `\s` (and their opposites, roughly) stand for inside a class.
fn escape_set(c: char) -> Option<Vec<(char, char)>> {
    Some(match c {
        'd' => vec![('0', '9')],
        'w' => vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')],
        's' => vec![(' ', ' ')],
        'D' | 'W' | 'S' => vec![('-', '-')],
        _ => return None,
    })
}

/// One character an escape stands for (`\d` → `0`, `\.` → `.`, `\u0041` → `A`).
fn class_escape(c: char, parser: &mut Parser) -> Option<char> {
    let hex = |parser: &mut Parser, digits: usize| {
        let text: String = (0..digits).filter_map(|_| parser.next()).collect();
        u32::from_str_radix(&text, 16).ok().and_then(char::from_u32)
    };
    Some(match c {
        'd' => '0',
        'w' | 'D' | 'S' => 'a',
        's' => ' ',
        'W' => '-',
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        'u' => hex(parser, 4)?,
        'x' => hex(parser, 2)?,
        c if c.is_ascii_alphanumeric() => return None,
        c => c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_of_common_patterns() {
        let first = |p| sample(p, Choice::ALL[0]).unwrap();
        assert_eq!(
            first("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"),
            "0000-00-00T00:00:00Z"
        );
        assert_eq!(first("^(s|r)k_(live|test)_[a-zA-Z0-9]+$"), "sk_live_a");
        assert_eq!(first(r"^[^\s]+$"), "a");
        assert_eq!(first(r"^\w+=[\w,:*]+(&(?!key)\w+=[\w,:*]+)*$"), "a=a");
        assert_eq!(sample("^$|^[0-9]{2}$", Choice::ALL[2]).unwrap(), "00");
        assert!(sample("(unclosed", Choice::ALL[0]).is_none());
    }
}
