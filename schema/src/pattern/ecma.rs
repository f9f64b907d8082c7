//! ECMAScript `pattern`s read into a small syntax tree, then written out in the `regex` crate's
//! syntax (which fancy-regex also takes, with look-around and back-references on top).
//!
//! The source is already known to be valid ECMAScript (regress accepted it), so this parser
//! only has to be exact about meaning. It writes every construct out explicitly (`\d` as
//! `[0-9]`, `.` without the four line terminators, characters as `\x{..}`), so nothing relies
//! on the `regex` crate's Unicode-aware defaults. Anything it does not positively know (inline
//! flags, legacy octal escapes, back-references whose meaning differs between engines) is an
//! `Err` with the reason, and the pattern is not checked rather than checked wrongly.
//!
//! Characters are Unicode code points, as with ECMAScript's `u` flag, whether or not the
//! pattern needs the flag to be valid (regress, the former engine, did the same).

use std::collections::HashMap;

/// Group nesting deeper than this is refused: the parser recurses, and each level becomes up to
/// four levels of the `regex` crate's syntax, whose own limit is 250.
const MAX_NESTING: usize = 40;

/// Alternatives chained deeper than this are refused before any engine sees them: regress
/// nests one call per alternative, and overflows a 2 MiB stack (a test thread's) at about
/// 1,800 in a debug build. 512 leaves room for callers' own recursion (the generator's).
const MAX_ALTERNATION_DEPTH: usize = 512;

/// Refuses a pattern whose shape would exhaust the stack of a recursive parser: too many
/// alternatives on one path (counting those of enclosing groups) or groups nested too deeply.
pub(super) fn precheck(source: &str) -> Result<(), &'static str> {
    // Alternatives seen so far at each open group level, the top level first.
    let mut levels: Vec<usize> = vec![0];
    let mut in_class = false;
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' => in_class = true,
            ']' => in_class = false,
            _ if in_class => {}
            '(' if levels.len() > MAX_NESTING => return Err("groups nested too deeply"),
            '(' => levels.push(0),
            ')' if levels.len() > 1 => {
                levels.pop();
            }
            '|' => {
                if let Some(top) = levels.last_mut() {
                    *top += 1;
                }
                if levels.iter().sum::<usize>() > MAX_ALTERNATION_DEPTH {
                    return Err("too many alternatives");
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A pattern in a linear-time engine's syntax, or one that needs backtracking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Translation {
    /// The `regex` crate's syntax, with the same meaning.
    Linear(String),
    /// fancy-regex's syntax: the pattern has look-around, back-references or `\b`.
    Backtracking(String),
}

/// Translates a valid ECMAScript pattern; `unicode` says whether it is valid with the `u` flag
/// (the syntax differs: without it, `\u{41}` is `u` 41 times and `\-` is a plain `-`).
pub(super) fn translate(source: &str, unicode: bool) -> Result<Translation, &'static str> {
    let chars: Vec<char> = source.chars().collect();
    let groups = scan_groups(&chars);
    let mut parser = Parser {
        chars: &chars,
        pos: 0,
        unicode,
        depth: 0,
        captures: 0,
        groups: &groups,
    };
    let tree = parser.disjunction()?;
    if parser.pos != chars.len() {
        return Err("an unmatched `)`");
    }
    let refs = resolve_backrefs(&tree, groups.count)?;
    let backtracking = needs_backtracking(&tree, &refs);
    let mut out = String::with_capacity(source.len() * 2);
    Emitter { refs: &refs }.node(&tree, &mut out);
    Ok(if backtracking {
        Translation::Backtracking(out)
    } else {
        Translation::Linear(out)
    })
}

/// One node of a pattern.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Empty,
    /// A code point (a lone surrogate can never occur in a Rust string, so never matches).
    Char(u32),
    Set(Set),
    Start,
    End,
    WordBoundary {
        negated: bool,
    },
    Group {
        index: Option<u32>,
        body: Box<Node>,
    },
    Look {
        behind: bool,
        negated: bool,
        body: Box<Node>,
    },
    /// A back-reference, by group number; `id` tells references apart.
    Backref {
        group: u32,
        id: usize,
    },
    Repeat {
        body: Box<Node>,
        min: u32,
        max: Option<u32>,
        greedy: bool,
    },
    Concat(Vec<Node>),
    Alt(Vec<Node>),
}

/// A set of code points: ranges and Unicode properties, possibly negated.
#[derive(Debug, Clone, PartialEq, Default)]
struct Set {
    negated: bool,
    ranges: Vec<(u32, u32)>,
    /// `(negated, name)`, as in `\P{Script=Greek}`.
    properties: Vec<(bool, String)>,
}

const DIGITS: &[(u32, u32)] = &[(0x30, 0x39)];
const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
/// ECMAScript's WhiteSpace and LineTerminator (`\s`).
const SPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
];
const LINE_TERMINATORS: &[(u32, u32)] = &[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)];
const MAX_CHAR: u32 = 0x10FFFF;
const SURROGATES: (u32, u32) = (0xD800, 0xDFFF);

impl Set {
    fn of(ranges: &[(u32, u32)], negated: bool) -> Set {
        Set {
            negated,
            ranges: ranges.to_vec(),
            properties: Vec::new(),
        }
    }

    /// `\d`, `\D`, `\s`, ... or `None` for another letter.
    fn class_escape(letter: char) -> Option<Set> {
        let ranges = match letter.to_ascii_lowercase() {
            'd' => DIGITS,
            's' => SPACE,
            'w' => WORD,
            _ => return None,
        };
        Some(Set::of(ranges, letter.is_ascii_uppercase()))
    }

    /// Adds the members of a class escape (`\D` by complement) or of a `\p{..}` to a class
    /// being built. Only `\p{..}` has properties, and it is never negated as a whole.
    fn add_to(self, class: &mut Set) {
        if self.negated {
            class.ranges.extend(complement(&self.ranges));
        } else {
            class.ranges.extend(self.ranges);
        }
        class.properties.extend(self.properties);
    }
}

/// Sorted, merged ranges without the surrogates (which no Rust string holds).
fn normalize(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut sorted = ranges.to_vec();
    sorted.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(sorted.len());
    for (lo, hi) in sorted {
        match merged.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    let (s_lo, s_hi) = SURROGATES;
    let mut out = Vec::with_capacity(merged.len() + 1);
    for (lo, hi) in merged {
        if lo < s_lo {
            out.push((lo, hi.min(s_lo - 1)));
        }
        if hi > s_hi {
            out.push((lo.max(s_hi + 1), hi));
        }
    }
    out
}

/// Every code point not in `ranges`.
fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0;
    for (lo, hi) in normalize(ranges) {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    if next <= MAX_CHAR {
        out.push((next, MAX_CHAR));
    }
    out
}

/// Capturing groups, counted and named before parsing: `\2` and `\k<name>` may come first.
struct Groups {
    count: u32,
    names: HashMap<String, Vec<u32>>,
    any_named: bool,
}

fn scan_groups(chars: &[char]) -> Groups {
    let mut groups = Groups {
        count: 0,
        names: HashMap::new(),
        any_named: false,
    };
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => in_class = true,
            ']' => in_class = false,
            '(' if !in_class => {
                let rest = &chars[i + 1..];
                if rest.first() != Some(&'?') {
                    groups.count += 1;
                } else if rest.get(1) == Some(&'<') && !matches!(rest.get(2), Some('=' | '!')) {
                    groups.count += 1;
                    groups.any_named = true;
                    let name: String = rest[2..].iter().take_while(|&&c| c != '>').collect();
                    groups.names.entry(name).or_default().push(groups.count);
                }
            }
            _ => {}
        }
        i += 1;
    }
    groups
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
    unicode: bool,
    depth: usize,
    /// Capturing groups opened so far: ECMAScript numbers groups by their opening parenthesis.
    captures: u32,
    groups: &'a Groups,
}

type Parsed<T> = Result<T, &'static str>;

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    fn eat_str(&mut self, s: &str) -> bool {
        let found = s
            .chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c));
        if found {
            self.pos += s.chars().count();
        }
        found
    }

    fn next(&mut self) -> Parsed<char> {
        let c = self.peek().ok_or("an unexpected end")?;
        self.pos += 1;
        Ok(c)
    }

    fn disjunction(&mut self) -> Parsed<Node> {
        let mut alternatives = vec![self.alternative()?];
        while self.eat('|') {
            alternatives.push(self.alternative()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(alternatives)
        })
    }

    fn alternative(&mut self) -> Parsed<Node> {
        let mut terms = Vec::new();
        while !matches!(self.peek(), None | Some('|' | ')')) {
            terms.push(self.term()?);
        }
        Ok(match terms.len() {
            0 => Node::Empty,
            1 => terms.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(terms),
        })
    }

    fn term(&mut self) -> Parsed<Node> {
        let atom = self.atom()?;
        let Some((min, max)) = self.quantifier()? else {
            return Ok(atom);
        };
        if matches!(
            atom,
            Node::Start | Node::End | Node::WordBoundary { .. } | Node::Look { .. }
        ) {
            return Err("a quantified assertion");
        }
        let greedy = !self.eat('?');
        if zero_width(&atom) {
            // ECMAScript drops an iteration that matches nothing once `min` is reached, so a
            // repeated assertion such as `(?:(?=a))*` is the assertion once, or nothing
            // (fancy-regex refuses to repeat it).
            return Ok(if min == 0 { Node::Empty } else { atom });
        }
        Ok(Node::Repeat {
            body: Box::new(atom),
            min,
            max,
            greedy,
        })
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, or `None` (the position is kept).
    fn quantifier(&mut self) -> Parsed<Option<(u32, Option<u32>)>> {
        let bounds = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => return self.braced_quantifier(),
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(bounds))
    }

    fn braced_quantifier(&mut self) -> Parsed<Option<(u32, Option<u32>)>> {
        let start = self.pos;
        self.pos += 1;
        let Some(min) = self.decimal()? else {
            self.pos = start;
            return Ok(None);
        };
        let max = if self.eat(',') {
            self.decimal()?
        } else {
            Some(min)
        };
        if !self.eat('}') {
            // Without the `u` flag, a `{` that starts no quantifier is a plain character.
            self.pos = start;
            return Ok(None);
        }
        if max.is_some_and(|max| max < min) {
            return Err("a quantifier whose maximum is below its minimum");
        }
        Ok(Some((min, max)))
    }

    fn decimal(&mut self) -> Parsed<Option<u32>> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .ok_or("a repetition count too large")?;
            self.pos += 1;
        }
        Ok((self.pos > start).then_some(value))
    }

    fn atom(&mut self) -> Parsed<Node> {
        match self.next()? {
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '.' => Ok(Node::Set(Set::of(LINE_TERMINATORS, true))),
            '(' => self.group(),
            '[' => self.class(),
            '\\' => self.atom_escape(),
            '*' | '+' | '?' => Err("a quantifier with nothing to repeat"),
            '{' => {
                self.pos -= 1;
                if self.braced_quantifier()?.is_some() {
                    return Err("a quantifier with nothing to repeat");
                }
                self.pos += 1;
                Ok(Node::Char('{' as u32))
            }
            c => Ok(Node::Char(c as u32)),
        }
    }

    fn group(&mut self) -> Parsed<Node> {
        if self.depth >= MAX_NESTING {
            return Err("groups nested too deeply");
        }
        self.depth += 1;
        let node = self.group_body();
        self.depth -= 1;
        node
    }

    fn group_body(&mut self) -> Parsed<Node> {
        // `Some((behind, negated))` for a look-around.
        let kind = if self.eat_str("?:") {
            None
        } else if self.eat_str("?=") {
            Some((false, false))
        } else if self.eat_str("?!") {
            Some((false, true))
        } else if self.eat_str("?<=") {
            Some((true, false))
        } else if self.eat_str("?<!") {
            Some((true, true))
        } else if self.eat_str("?<") {
            while self.next()? != '>' {}
            return self.capture();
        } else if self.peek() == Some('?') {
            return Err("inline flags");
        } else {
            return self.capture();
        };
        let body = Box::new(self.disjunction()?);
        self.close()?;
        Ok(match kind {
            None => Node::Group { index: None, body },
            Some((behind, negated)) => Node::Look {
                behind,
                negated,
                body,
            },
        })
    }

    fn capture(&mut self) -> Parsed<Node> {
        self.captures += 1;
        let index = self.captures;
        let body = Box::new(self.disjunction()?);
        self.close()?;
        Ok(Node::Group {
            index: Some(index),
            body,
        })
    }

    fn close(&mut self) -> Parsed<()> {
        if self.eat(')') {
            Ok(())
        } else {
            Err("an unclosed group")
        }
    }

    fn atom_escape(&mut self) -> Parsed<Node> {
        let c = self.peek().ok_or("a trailing backslash")?;
        match c {
            'b' | 'B' => {
                self.pos += 1;
                Ok(Node::WordBoundary { negated: c == 'B' })
            }
            '1'..='9' => self.decimal_backref(),
            'k' if self.unicode || self.groups.any_named => {
                self.pos += 1;
                self.named_backref()
            }
            _ => match self.class_escape(false)? {
                ClassAtom::Char(c) => Ok(Node::Char(c)),
                ClassAtom::Set(set) => Ok(Node::Set(set)),
            },
        }
    }

    fn decimal_backref(&mut self) -> Parsed<Node> {
        let group = self.decimal()?.unwrap_or(0);
        if group == 0 || group > self.groups.count {
            return Err("a legacy octal escape");
        }
        Ok(self.backref(group))
    }

    fn named_backref(&mut self) -> Parsed<Node> {
        if !self.eat('<') {
            return Err("a `\\k` without a group name");
        }
        let mut name = String::new();
        loop {
            match self.next()? {
                '>' => break,
                c => name.push(c),
            }
        }
        match self.groups.names.get(&name).map(Vec::as_slice) {
            Some([group]) => Ok(self.backref(*group)),
            Some(_) => Err("a back-reference to a name that several groups share"),
            None => Err("a back-reference to an unknown group name"),
        }
    }

    fn backref(&self, group: u32) -> Node {
        Node::Backref {
            group,
            id: self.pos,
        }
    }

    fn class(&mut self) -> Parsed<Node> {
        let mut set = Set {
            negated: self.eat('^'),
            ..Set::default()
        };
        while !self.eat(']') {
            let first = self.class_atom()?;
            if self.peek() == Some('-') && !matches!(self.peek_at(1), None | Some(']')) {
                self.pos += 1;
                let last = self.class_atom()?;
                self.class_range(first, last, &mut set)?;
            } else {
                first.add_to(&mut set);
            }
        }
        Ok(Node::Set(set))
    }

    fn class_range(&self, first: ClassAtom, last: ClassAtom, set: &mut Set) -> Parsed<()> {
        match (first, last) {
            (ClassAtom::Char(lo), ClassAtom::Char(hi)) if lo <= hi => {
                set.ranges.push((lo, hi));
                Ok(())
            }
            (ClassAtom::Char(_), ClassAtom::Char(_)) => Err("a range out of order"),
            // Without `u`, a class escape next to `-` makes all three plain members.
            (first, last) if !self.unicode => {
                first.add_to(set);
                set.ranges.push(('-' as u32, '-' as u32));
                last.add_to(set);
                Ok(())
            }
            _ => Err("a range with a class escape"),
        }
    }

    fn class_atom(&mut self) -> Parsed<ClassAtom> {
        match self.next()? {
            '\\' => {
                let atom = self.class_escape(true)?;
                if !self.unicode && matches!(atom, ClassAtom::Char(c) if is_surrogate(c)) {
                    // Without `u`, a class holds UTF-16 code units, halves of pairs included.
                    return Err("a surrogate in a class without the `u` flag");
                }
                Ok(atom)
            }
            c => Ok(ClassAtom::Char(c as u32)),
        }
    }

    /// An escape after its `\`, inside a class or out (where `\b`, `\B` and back-references
    /// were handled already).
    fn class_escape(&mut self, in_class: bool) -> Parsed<ClassAtom> {
        let c = self.next()?;
        if let Some(set) = Set::class_escape(c) {
            return Ok(ClassAtom::Set(set));
        }
        let code = match c {
            'p' | 'P' if self.unicode => return self.property(c == 'P'),
            'b' if in_class => 0x08,
            't' => 0x09,
            'n' => 0x0A,
            'v' => 0x0B,
            'f' => 0x0C,
            'r' => 0x0D,
            '0' if self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                return Err("a legacy octal escape")
            }
            '0' => 0,
            '1'..='9' => return Err("a legacy octal escape"),
            'c' => self.control(in_class)?,
            'x' => self.hex(2).unwrap_or('x' as u32),
            'u' => self.unicode_escape(in_class)?,
            other => other as u32,
        };
        Ok(ClassAtom::Char(code))
    }

    fn control(&mut self, in_class: bool) -> Parsed<u32> {
        match self.peek() {
            Some(c)
                if c.is_ascii_alphabetic() || (in_class && (c.is_ascii_digit() || c == '_')) =>
            {
                self.pos += 1;
                Ok(c as u32 % 32)
            }
            _ => Err("a `\\c` without a control letter"),
        }
    }

    /// `count` hex digits, or `None` (and the position is kept).
    fn hex(&mut self, count: usize) -> Option<u32> {
        let digits: String = (0..count).map_while(|i| self.peek_at(i)).collect();
        if digits.chars().count() != count || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += count;
        u32::from_str_radix(&digits, 16).ok()
    }

    /// After `\u`: `XXXX`, a surrogate pair `XXXX\uXXXX`, or (with `u`) `{X...}`. Without `u`,
    /// a class holds the pair's halves apart, so there they stay apart.
    fn unicode_escape(&mut self, in_class: bool) -> Parsed<u32> {
        if self.unicode && self.eat('{') {
            let mut code: u32 = 0;
            while !self.eat('}') {
                let digit = self.next()?.to_digit(16).ok_or("a bad `\\u{...}` escape")?;
                code = code
                    .checked_mul(16)
                    .and_then(|c| c.checked_add(digit))
                    .filter(|&c| c <= MAX_CHAR)
                    .ok_or("a `\\u{...}` escape beyond Unicode")?;
            }
            return Ok(code);
        }
        let Some(code) = self.hex(4) else {
            return if self.unicode {
                Err("a bad `\\u` escape")
            } else {
                Ok('u' as u32)
            };
        };
        let pairs = self.unicode || !in_class;
        if pairs && (0xD800..=0xDBFF).contains(&code) && self.peek() == Some('\\') {
            let start = self.pos;
            self.pos += 1;
            if self.eat('u') {
                if let Some(low) = self.hex(4).filter(|low| (0xDC00..=0xDFFF).contains(low)) {
                    return Ok(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00));
                }
            }
            self.pos = start;
        }
        Ok(code)
    }

    /// After `\p` or `\P`: `{Name}` or `{Name=Value}`.
    fn property(&mut self, negated: bool) -> Parsed<ClassAtom> {
        if !self.eat('{') {
            return Err("a `\\p` without a property");
        }
        let mut name = String::new();
        loop {
            match self.next()? {
                '}' => break,
                c if c.is_ascii_alphanumeric() || c == '_' || c == '=' => name.push(c),
                _ => return Err("an unusual Unicode property name"),
            }
        }
        Ok(ClassAtom::Set(Set {
            negated: false,
            ranges: Vec::new(),
            properties: vec![(negated, name)],
        }))
    }
}

fn is_surrogate(code: u32) -> bool {
    (SURROGATES.0..=SURROGATES.1).contains(&code)
}

/// One member of a class: a character, or a set such as `\d`.
enum ClassAtom {
    Char(u32),
    Set(Set),
}

impl ClassAtom {
    fn add_to(self, class: &mut Set) {
        match self {
            ClassAtom::Char(c) => class.ranges.push((c, c)),
            ClassAtom::Set(set) => set.add_to(class),
        }
    }
}

/// How a back-reference is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefKind {
    /// ECMAScript matches the empty string: the group cannot have matched yet (a forward or
    /// self reference), or sits in a negative look-around, whose groups never keep a match.
    Empty,
    /// `(?(n)\n)`: the group's text if it matched, else (as ECMAScript) the empty string.
    Group(u32),
}

/// Where a capturing group sits, for deciding what a reference to it means.
#[derive(Debug, Clone, Default)]
struct GroupSite {
    /// The negative look-arounds around it (by their position in the walk).
    negative_looks: Vec<usize>,
    in_lookbehind: bool,
    /// A repetition can end an iteration without setting it, or setting it to empty: the
    /// engines disagree there (ECMAScript clears a repeated group at each iteration).
    unsafe_in_repeat: bool,
}

#[derive(Debug, Clone, Default)]
struct Context {
    negative_looks: Vec<usize>,
    in_lookbehind: bool,
    in_multi_repeat: bool,
    unsafe_in_repeat: bool,
}

/// Decides every back-reference's meaning, or refuses one the engines would read differently.
fn resolve_backrefs(tree: &Node, count: u32) -> Result<HashMap<usize, RefKind>, &'static str> {
    let mut walk = RefWalk {
        sites: vec![None; count as usize + 1],
        refs: HashMap::new(),
        looks: 0,
    };
    walk.node(tree, &Context::default())?;
    Ok(walk.refs)
}

struct RefWalk {
    /// Closed groups, by number, once the walk has passed their end.
    sites: Vec<Option<GroupSite>>,
    refs: HashMap<usize, RefKind>,
    looks: usize,
}

impl RefWalk {
    fn node(&mut self, node: &Node, context: &Context) -> Result<(), &'static str> {
        match node {
            Node::Group { index, body } => {
                self.node(body, context)?;
                if let Some(index) = index {
                    self.sites[*index as usize] = Some(GroupSite {
                        negative_looks: context.negative_looks.clone(),
                        in_lookbehind: context.in_lookbehind,
                        unsafe_in_repeat: context.unsafe_in_repeat,
                    });
                }
            }
            Node::Look {
                behind,
                negated,
                body,
            } => {
                self.looks += 1;
                let mut inner = context.clone();
                inner.in_lookbehind |= behind;
                inner.unsafe_in_repeat |= context.in_multi_repeat;
                if *negated {
                    inner.negative_looks.push(self.looks);
                }
                self.node(body, &inner)?;
            }
            Node::Repeat { body, min, max, .. } => {
                let mut inner = context.clone();
                let multi = max.is_none_or(|max| max > 1);
                inner.unsafe_in_repeat |=
                    (context.in_multi_repeat && *min == 0) || (multi && min_length(body) == 0);
                inner.in_multi_repeat |= multi;
                self.node(body, &inner)?;
            }
            Node::Alt(alternatives) => {
                let mut inner = context.clone();
                inner.unsafe_in_repeat |= context.in_multi_repeat;
                for alternative in alternatives {
                    self.node(alternative, &inner)?;
                }
            }
            Node::Concat(nodes) => {
                for node in nodes {
                    self.node(node, context)?;
                }
            }
            Node::Backref { group, id } => {
                let kind = self.reference(*group, context)?;
                self.refs.insert(*id, kind);
            }
            _ => {}
        }
        Ok(())
    }

    fn reference(&self, group: u32, context: &Context) -> Result<RefKind, &'static str> {
        if context.in_lookbehind {
            return Err("a back-reference inside a look-behind");
        }
        let Some(site) = self.sites.get(group as usize).and_then(Option::as_ref) else {
            return Ok(RefKind::Empty);
        };
        if site.in_lookbehind {
            return Err("a back-reference to a group inside a look-behind");
        }
        let outside_its_negative_look = site
            .negative_looks
            .iter()
            .any(|look| !context.negative_looks.contains(look));
        if outside_its_negative_look {
            return Ok(RefKind::Empty);
        }
        if site.unsafe_in_repeat {
            return Err("a back-reference to a group that a repetition can leave unset or empty");
        }
        Ok(RefKind::Group(group))
    }
}

/// The fewest characters a node can match.
fn min_length(node: &Node) -> u64 {
    match node {
        Node::Char(_) | Node::Set(_) => 1,
        Node::Group { body, .. } => min_length(body),
        Node::Repeat { body, min, .. } => u64::from(*min).saturating_mul(min_length(body)),
        Node::Concat(nodes) => nodes.iter().map(min_length).fold(0, u64::saturating_add),
        Node::Alt(nodes) => nodes.iter().map(min_length).min().unwrap_or(0),
        Node::Empty
        | Node::Start
        | Node::End
        | Node::WordBoundary { .. }
        | Node::Look { .. }
        | Node::Backref { .. } => 0,
    }
}

/// Whether a node never consumes a character.
fn zero_width(node: &Node) -> bool {
    match node {
        Node::Empty | Node::Start | Node::End | Node::WordBoundary { .. } | Node::Look { .. } => {
            true
        }
        Node::Char(_) | Node::Set(_) | Node::Backref { .. } => false,
        Node::Group { body, .. } | Node::Repeat { body, .. } => zero_width(body),
        Node::Concat(nodes) | Node::Alt(nodes) => nodes.iter().all(zero_width),
    }
}

/// Look-around and back-references need the backtracking engine, and so do word boundaries:
/// the `regex` crate has ECMAScript's ASCII `\b` only as `(?-u:\b)` inside a Unicode pattern,
/// where its `is_match` and `find` disagree (`(?:..+|(?-u:\B))` in `"a\u{85}1"`: no match,
/// and a match), so it is not trusted.
fn needs_backtracking(node: &Node, refs: &HashMap<usize, RefKind>) -> bool {
    match node {
        Node::Look { .. } | Node::WordBoundary { .. } => true,
        Node::Backref { id, .. } => refs.get(id) != Some(&RefKind::Empty),
        Node::Group { body, .. } | Node::Repeat { body, .. } => needs_backtracking(body, refs),
        Node::Concat(nodes) | Node::Alt(nodes) => {
            nodes.iter().any(|node| needs_backtracking(node, refs))
        }
        _ => false,
    }
}

/// A set that nothing matches.
const NEVER: &str = r"[^\x{0}-\x{10FFFF}]";
/// ECMAScript's word characters, for `\b`.
const WORD_CLASS: &str = "[0-9A-Za-z_]";

struct Emitter<'a> {
    refs: &'a HashMap<usize, RefKind>,
}

impl Emitter<'_> {
    fn node(&self, node: &Node, out: &mut String) {
        match node {
            Node::Empty => {}
            Node::Char(c) => match char::from_u32(*c) {
                Some(c) => literal(c, out),
                None => out.push_str(NEVER),
            },
            Node::Set(set) => emit_set(set, out),
            Node::Start => out.push('^'),
            Node::End => out.push('$'),
            Node::WordBoundary { negated } => Self::word_boundary(*negated, out),
            Node::Group { index, body } => {
                out.push_str(if index.is_some() { "(" } else { "(?:" });
                self.node(body, out);
                out.push(')');
            }
            Node::Look {
                behind,
                negated,
                body,
            } => {
                out.push_str(match (behind, negated) {
                    (false, false) => "(?=",
                    (false, true) => "(?!",
                    (true, false) => "(?<=",
                    (true, true) => "(?<!",
                });
                self.node(body, out);
                out.push(')');
            }
            Node::Backref { id, .. } => {
                if let Some(RefKind::Group(group)) = self.refs.get(id) {
                    out.push_str(&format!("(?({group})\\{group})"));
                }
            }
            Node::Repeat {
                body,
                min,
                max,
                greedy,
            } => self.repeat(body, *min, *max, *greedy, out),
            Node::Concat(nodes) => nodes.iter().for_each(|node| self.node(node, out)),
            Node::Alt(nodes) => {
                out.push_str("(?:");
                for (i, node) in nodes.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    self.node(node, out);
                }
                out.push(')');
            }
        }
    }

    fn repeat(&self, body: &Node, min: u32, max: Option<u32>, greedy: bool, out: &mut String) {
        out.push_str("(?:");
        self.node(body, out);
        out.push(')');
        match (min, max) {
            (0, None) => out.push('*'),
            (1, None) => out.push('+'),
            (0, Some(1)) => out.push('?'),
            (min, None) => out.push_str(&format!("{{{min},}}")),
            (min, Some(max)) if min == max => out.push_str(&format!("{{{min}}}")),
            (min, Some(max)) => out.push_str(&format!("{{{min},{max}}}")),
        }
        if !greedy {
            out.push('?');
        }
    }

    /// ECMAScript's `\b` (ASCII word characters) as look-around.
    fn word_boundary(negated: bool, out: &mut String) {
        let w = WORD_CLASS;
        if negated {
            out.push_str(&format!("(?:(?<={w})(?={w})|(?<!{w})(?!{w}))"));
        } else {
            out.push_str(&format!("(?:(?<={w})(?!{w})|(?<!{w})(?={w}))"));
        }
    }
}

/// A character, escaped unless it is an ASCII letter or digit.
fn literal(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

fn emit_set(set: &Set, out: &mut String) {
    let ranges = normalize(&set.ranges);
    if ranges.is_empty() && set.properties.is_empty() {
        out.push_str(if set.negated {
            r"[\x{0}-\x{10FFFF}]"
        } else {
            NEVER
        });
        return;
    }
    out.push('[');
    if set.negated {
        out.push('^');
    }
    for (lo, hi) in ranges {
        out.push_str(&format!("\\x{{{lo:X}}}"));
        if hi > lo {
            out.push_str(&format!("-\\x{{{hi:X}}}"));
        }
    }
    for (negated, name) in &set.properties {
        out.push_str(if *negated { "\\P{" } else { "\\p{" });
        out.push_str(name);
        out.push('}');
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(source: &str) -> String {
        match translate(source, true) {
            Ok(Translation::Linear(out)) => out,
            other => panic!("{source}: {other:?}"),
        }
    }

    #[test]
    fn classes_are_written_out_explicitly() {
        assert_eq!(linear(r"\d"), r"[\x{30}-\x{39}]");
        assert_eq!(linear("."), r"[^\x{A}\x{D}\x{2028}-\x{2029}]");
        assert_eq!(linear("[^]"), r"[\x{0}-\x{10FFFF}]");
        assert_eq!(linear("[]"), NEVER);
        assert_eq!(linear("a|"), "(?:a|)");
        assert_eq!(linear(r"[\uD800-\uDFFF]"), NEVER);
        assert_eq!(linear("x{2,}?"), "(?:x){2,}?");
    }

    #[test]
    fn groups_are_numbered_by_opening_parenthesis() {
        let out = translate(r"((a)(?<n>b))\k<n>\2", true).unwrap();
        assert_eq!(
            out,
            Translation::Backtracking("((a)(b))(?(3)\\3)(?(2)\\2)".into())
        );
    }
}
