//! A small expression language for scoring rules, e.g. 编制准确:
//! `if(adjust / budget > 0.1, 0, (1 - 10 × adjust ÷ budget) × 8)`.
//!
//! Numbers are exact [`Ratio`]s; there is no floating point. Syntax (whitespace-insensitive),
//! from tightest to loosest binding:
//!
//! | form | notes |
//! |---|---|
//! | `8`, `0.5`, `67.5%`, `true`, `false`, `item.actual`, `(…)`, `f(…)` | names are `[A-Za-z_][A-Za-z0-9_.]*` |
//! | unary `-`, `not` | |
//! | `*` `/` (also `×` `÷`) | left-associative |
//! | `+` `-` (also `−`) | left-associative |
//! | `<` `<=` `>` `>=` `==` `!=` (also `≤` `≥` `≠`) | non-associative: `a < b < c` is an error |
//! | `and` | short-circuit |
//! | `or` | short-circuit |
//!
//! Functions: `min(a, …)`, `max(a, …)`, `abs(x)`, `clamp(x, lo, hi)` (= `min(max(x, lo), hi)`),
//! `if(cond, a, b)` (lazy: only the taken branch is evaluated). Full-width `（` `）` `，` are
//! accepted as `(` `)` `,`.

use std::collections::BTreeSet;
use std::fmt;

use crate::ratio::{Ratio, RatioError, RatioVisitor};

/// The value of an expression: an exact number or a truth value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Num(Ratio),
    Bool(bool),
}

impl Value {
    fn kind(self) -> &'static str {
        match self {
            Value::Num(_) => "数值",
            Value::Bool(_) => "真假值",
        }
    }
}

impl From<Ratio> for Value {
    fn from(r: Ratio) -> Value {
        Value::Num(r)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl serde::Serialize for Value {
    /// A number as its [`Ratio`] string (e.g. "0.5"), a truth value as a boolean.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Num(r) => r.serialize(serializer),
            Value::Bool(b) => serializer.serialize_bool(*b),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    /// A boolean, or anything [`Ratio`] deserializes from (an integer or a decimal string).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("true, false, an integer or a string holding an exact decimal such as \"0.5\"")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        RatioVisitor.visit_i64(v).map(Value::Num)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        RatioVisitor.visit_u64(v).map(Value::Num)
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        RatioVisitor.visit_i128(v).map(Value::Num)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        RatioVisitor.visit_u128(v).map(Value::Num)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        RatioVisitor.visit_f64(v).map(Value::Num)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        RatioVisitor.visit_str(v).map(Value::Num)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(r) => fmt::Display::fmt(r, f),
            Value::Bool(b) => fmt::Display::fmt(b, f),
        }
    }
}

/// A parsed expression: the syntax tree plus the original source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    source: String,
    root: Node,
}

/// A parse error. `offset` is the 0-based character (not byte) offset in the source where the
/// problem is (the source length if the problem is at the end); `message` is in Chinese and
/// states the position 1-based, e.g. "第12个字符处应为“)”".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExprError {}

/// An evaluation error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// The lookup did not know this name.
    UnknownName(String),
    /// A division whose divisor evaluated to zero; `expr` is the source text of the division.
    DivisionByZero { expr: String },
    /// An intermediate result did not fit in the exact number representation.
    Overflow,
    /// A value of the wrong type (number vs. truth value); the message names the operator.
    Type(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::UnknownName(name) => write!(f, "未知的输入：{name}"),
            EvalError::DivisionByZero { expr } => write!(f, "除数为零：{expr}"),
            EvalError::Overflow => f.write_str("数值溢出"),
            EvalError::Type(message) => write!(f, "类型错误：{message}"),
        }
    }
}

impl std::error::Error for EvalError {}

/// Maximum depth of the syntax tree (e.g. a sum of at most this many terms). Scoring rules
/// are small; the limit keeps parsing, evaluation and dropping safely within the stack.
const MAX_DEPTH: u32 = 256;

/// Maximum nesting of parentheses, unary operators and function calls.
const MAX_NESTING: u32 = 64;

/// Half-open range of character offsets in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Min,
    Max,
    Abs,
    Clamp,
    If,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "abs" => Func::Abs,
            "clamp" => Func::Clamp,
            "if" => Func::If,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Clamp => "clamp",
            Func::If => "if",
        }
    }

    /// Required argument count; `None` means "one or more".
    fn arity(self) -> Option<usize> {
        match self {
            Func::Min | Func::Max => None,
            Func::Abs => Some(1),
            Func::Clamp | Func::If => Some(3),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Num(Ratio),
    Bool(bool),
    Name(String),
    Unary {
        op: UnOp,
        arg: Box<Node>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        span: Span,
    },
    Call {
        func: Func,
        args: Vec<Node>,
    },
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Ratio),
    Name(String),
    True,
    False,
    And,
    Or,
    Not,
    Plus,
    Minus,
    Star,
    Slash,
    Lt,
    Le,
    Gt,
    Ge,
    EqEq,
    Ne,
    LParen,
    RParen,
    Comma,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    span: Span,
}

fn err_at(offset: usize, detail: impl fmt::Display) -> ExprError {
    ExprError {
        offset,
        message: format!("第{}个字符处{detail}", offset + 1),
    }
}

fn lex(chars: &[char]) -> Result<Vec<Token>, ExprError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = if c.is_ascii_digit() {
            // Take everything that could belong to a number (so that "1e3" or "1.5.3" is
            // reported as one bad number), then let Ratio::parse decide.
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            if i < chars.len() && (chars[i] == '%' || chars[i] == '％') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            match Ratio::parse(&text) {
                Ok(r) => Tok::Num(r),
                Err(RatioError::Overflow) => {
                    return Err(err_at(start, format_args!("的数字“{text}”超出可表示范围")))
                }
                Err(_) => return Err(err_at(start, format_args!("不是有效数字：“{text}”"))),
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "true" => Tok::True,
                "false" => Tok::False,
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Name(word),
            }
        } else {
            let next = chars.get(i + 1).copied();
            i += 1;
            match c {
                '+' => Tok::Plus,
                '-' | '−' => Tok::Minus,
                '*' | '×' => Tok::Star,
                '/' | '÷' => Tok::Slash,
                '(' | '（' => Tok::LParen,
                ')' | '）' => Tok::RParen,
                ',' | '，' => Tok::Comma,
                '≤' => Tok::Le,
                '≥' => Tok::Ge,
                '≠' => Tok::Ne,
                '<' | '>' | '=' | '!' if next == Some('=') => {
                    i += 1;
                    match c {
                        '<' => Tok::Le,
                        '>' => Tok::Ge,
                        '=' => Tok::EqEq,
                        _ => Tok::Ne,
                    }
                }
                '<' => Tok::Lt,
                '>' => Tok::Gt,
                '=' => return Err(err_at(start, "应为“==”（比较相等请用“==”）")),
                '!' => return Err(err_at(start, "应为“!=”（取反请用 not）")),
                _ if c.is_alphabetic() => {
                    return Err(err_at(
                        start,
                        format_args!(
                            "有无法识别的字符“{c}”（名称只能由英文字母、数字、下划线和点组成）"
                        ),
                    ))
                }
                _ => return Err(err_at(start, format_args!("有无法识别的字符“{c}”"))),
            }
        };
        tokens.push(Token {
            tok,
            span: Span { start, end: i },
        });
    }
    tokens.push(Token {
        tok: Tok::End,
        span: Span {
            start: chars.len(),
            end: chars.len(),
        },
    });
    Ok(tokens)
}

// ---------------------------------------------------------------------------------------------
// Parser

struct Parsed {
    node: Node,
    span: Span,
    depth: u32,
}

/// Infix operators and their binding power (higher binds tighter).
fn infix(tok: &Tok) -> Option<(BinOp, u8)> {
    Some(match tok {
        Tok::Or => (BinOp::Or, 1),
        Tok::And => (BinOp::And, 2),
        Tok::Lt => (BinOp::Lt, CMP_PREC),
        Tok::Le => (BinOp::Le, CMP_PREC),
        Tok::Gt => (BinOp::Gt, CMP_PREC),
        Tok::Ge => (BinOp::Ge, CMP_PREC),
        Tok::EqEq => (BinOp::Eq, CMP_PREC),
        Tok::Ne => (BinOp::Ne, CMP_PREC),
        Tok::Plus => (BinOp::Add, 4),
        Tok::Minus => (BinOp::Sub, 4),
        Tok::Star => (BinOp::Mul, 5),
        Tok::Slash => (BinOp::Div, 5),
        _ => return None,
    })
}

const CMP_PREC: u8 = 3;

/// Precedence-climbing parser. The recursive functions are kept lean (every message is built
/// in a separate, non-recursive function) so that nesting costs little stack.
struct Parser<'a> {
    chars: &'a [char],
    tokens: Vec<Token>,
    pos: usize,
    nesting: u32,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    /// Consume the current token, returning its span.
    fn bump(&mut self) -> Span {
        let span = self.tokens[self.pos].span;
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        span
    }

    fn text(&self, span: Span) -> String {
        self.chars[span.start..span.end].iter().collect()
    }

    /// "“)”" / "名称“x”" / "表达式末尾", for messages.
    fn describe(&self, token: &Token) -> String {
        match token.tok {
            Tok::End => "表达式末尾".to_string(),
            Tok::Num(_) => format!("数字“{}”", self.text(token.span)),
            Tok::Name(ref n) => format!("名称“{n}”"),
            _ => format!("“{}”", self.text(token.span)),
        }
    }

    /// "第N个字符处应为X，实际为Y" (or "（表达式末尾）应为X") at the current token.
    #[cold]
    #[inline(never)]
    fn expected(&self, what: &str) -> ExprError {
        let token = self.peek();
        let offset = token.span.start;
        if token.tok == Tok::End {
            err_at(offset, format_args!("（表达式末尾）应为{what}"))
        } else {
            err_at(
                offset,
                format_args!("应为{what}，实际为{}", self.describe(token)),
            )
        }
    }

    #[cold]
    #[inline(never)]
    fn chained_comparison(&self) -> ExprError {
        let span = self.peek().span;
        err_at(
            span.start,
            format_args!(
                "的“{}”不能接在另一个比较之后：比较运算不能连用（如 a < b < c），请用 and 连接",
                self.text(span)
            ),
        )
    }

    #[cold]
    #[inline(never)]
    fn function_expected_paren(&self, func: Func) -> ExprError {
        self.expected(&format!("“(”（{} 是函数名）", func.name()))
    }

    #[cold]
    #[inline(never)]
    fn too_deep(offset: usize) -> ExprError {
        err_at(
            offset,
            format_args!("开始的表达式嵌套过深（超过{MAX_DEPTH}层）"),
        )
    }

    fn node(node: Node, span: Span, depth: u32) -> Result<Parsed, ExprError> {
        if depth > MAX_DEPTH {
            return Err(Self::too_deep(span.start));
        }
        Ok(Parsed { node, span, depth })
    }

    fn binary(op: BinOp, lhs: Parsed, rhs: Parsed) -> Result<Parsed, ExprError> {
        let span = Span {
            start: lhs.span.start,
            end: rhs.span.end,
        };
        let depth = lhs.depth.max(rhs.depth) + 1;
        let node = Node::Binary {
            op,
            lhs: Box::new(lhs.node),
            rhs: Box::new(rhs.node),
            span,
        };
        Self::node(node, span, depth)
    }

    /// Enter one level of parenthesis / unary / call nesting.
    fn enter(&mut self) -> Result<(), ExprError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(err_at(
                self.peek().span.start,
                format_args!("嵌套过深（超过{MAX_NESTING}层）"),
            ));
        }
        Ok(())
    }

    /// An expression whose infix operators all bind at least as tightly as `min_prec`.
    fn parse_expr(&mut self, min_prec: u8) -> Result<Parsed, ExprError> {
        let mut lhs = self.parse_prefix()?;
        let mut compared = false;
        while let Some((op, prec)) = infix(&self.peek().tok) {
            if prec < min_prec {
                break;
            }
            if prec == CMP_PREC && compared {
                return Err(self.chained_comparison());
            }
            self.bump();
            let rhs = self.parse_expr(prec + 1)?;
            compared = prec == CMP_PREC;
            lhs = Self::binary(op, lhs, rhs)?;
        }
        Ok(lhs)
    }

    /// Unary operators and primaries: numbers, booleans, names, `( … )`, calls.
    fn parse_prefix(&mut self) -> Result<Parsed, ExprError> {
        let span = self.peek().span;
        let leaf = |node| {
            Ok(Parsed {
                node,
                span,
                depth: 1,
            })
        };
        match self.peek().tok {
            Tok::Minus | Tok::Not => {
                let op = if self.peek().tok == Tok::Minus {
                    UnOp::Neg
                } else {
                    UnOp::Not
                };
                self.bump();
                self.enter()?;
                let arg = self.parse_prefix()?;
                self.nesting -= 1;
                let span = Span {
                    start: span.start,
                    end: arg.span.end,
                };
                let node = Node::Unary {
                    op,
                    arg: Box::new(arg.node),
                };
                Self::node(node, span, arg.depth + 1)
            }
            Tok::LParen => {
                self.bump();
                self.enter()?;
                let inner = self.parse_expr(0)?;
                self.nesting -= 1;
                let close = self.expect_rparen()?;
                Ok(Parsed {
                    span: Span {
                        start: span.start,
                        end: close.end,
                    },
                    ..inner
                })
            }
            Tok::Num(r) => {
                self.bump();
                leaf(Node::Num(r))
            }
            Tok::True => {
                self.bump();
                leaf(Node::Bool(true))
            }
            Tok::False => {
                self.bump();
                leaf(Node::Bool(false))
            }
            Tok::Name(_) => self.parse_name(),
            _ => Err(self.expected("数字、名称或“(”")),
        }
    }

    fn parse_name(&mut self) -> Result<Parsed, ExprError> {
        let span = self.peek().span;
        let Tok::Name(name) = std::mem::replace(&mut self.tokens[self.pos].tok, Tok::End) else {
            unreachable!("parse_name is called on a name token");
        };
        self.bump();
        match Func::from_name(&name) {
            Some(func) => self.parse_call(func, span),
            None if self.peek().tok == Tok::LParen => Err(err_at(
                span.start,
                format_args!("是未知的函数“{name}”（可用 min、max、abs、clamp、if）"),
            )),
            None => Ok(Parsed {
                node: Node::Name(name),
                span,
                depth: 1,
            }),
        }
    }

    fn expect_rparen(&mut self) -> Result<Span, ExprError> {
        if self.peek().tok == Tok::RParen {
            Ok(self.bump())
        } else {
            Err(self.expected("“)”"))
        }
    }

    fn parse_call(&mut self, func: Func, name_span: Span) -> Result<Parsed, ExprError> {
        if self.peek().tok != Tok::LParen {
            return Err(self.function_expected_paren(func));
        }
        self.bump();
        self.enter()?;
        let mut args = Vec::new();
        let mut depth = 0;
        if self.peek().tok != Tok::RParen {
            loop {
                let arg = self.parse_expr(0)?;
                depth = depth.max(arg.depth);
                args.push(arg.node);
                if self.peek().tok != Tok::Comma {
                    break;
                }
                self.bump();
            }
        }
        self.nesting -= 1;
        if self.peek().tok != Tok::RParen {
            return Err(self.expected("“,”或“)”"));
        }
        let close = self.bump();
        check_arity(func, args.len(), name_span.start)?;
        let span = Span {
            start: name_span.start,
            end: close.end,
        };
        Self::node(Node::Call { func, args }, span, depth + 1)
    }
}

fn check_arity(func: Func, got: usize, offset: usize) -> Result<(), ExprError> {
    let (ok, wanted) = match func.arity() {
        Some(n) => (got == n, format!("{n}个")),
        None => (got >= 1, "至少1个".to_string()),
    };
    if ok {
        return Ok(());
    }
    Err(err_at(
        offset,
        format_args!("的函数 {} 需要{wanted}参数，实际为{got}个", func.name()),
    ))
}

// ---------------------------------------------------------------------------------------------
// Evaluation

type Lookup<'a> = &'a dyn Fn(&str) -> Option<Value>;

fn ratio_err(e: RatioError) -> EvalError {
    match e {
        // Division is checked before dividing; other operations cannot divide by zero.
        RatioError::DivisionByZero => EvalError::DivisionByZero {
            expr: String::new(),
        },
        RatioError::Overflow | RatioError::Parse(_) => EvalError::Overflow,
    }
}

impl Expr {
    /// Parse an expression.
    pub fn parse(src: &str) -> Result<Expr, ExprError> {
        let chars: Vec<char> = src.chars().collect();
        let tokens = lex(&chars)?;
        if tokens.len() == 1 {
            return Err(ExprError {
                offset: 0,
                message: "表达式为空".to_string(),
            });
        }
        let mut parser = Parser {
            chars: &chars,
            tokens,
            pos: 0,
            nesting: 0,
        };
        let parsed = parser.parse_expr(0)?;
        if parser.peek().tok != Tok::End {
            return Err(parser.expected("运算符或表达式结束"));
        }
        Ok(Expr {
            source: src.to_string(),
            root: parsed.node,
        })
    }

    /// The original source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every name the expression reads (for checking against declared inputs at load time).
    /// Function names (`min`, `if`, …) and keywords are not included.
    pub fn names(&self) -> BTreeSet<String> {
        fn walk(node: &Node, out: &mut BTreeSet<String>) {
            match node {
                Node::Num(_) | Node::Bool(_) => {}
                Node::Name(n) => {
                    out.insert(n.clone());
                }
                Node::Unary { arg, .. } => walk(arg, out),
                Node::Binary { lhs, rhs, .. } => {
                    walk(lhs, out);
                    walk(rhs, out);
                }
                Node::Call { args, .. } => args.iter().for_each(|a| walk(a, out)),
            }
        }
        let mut out = BTreeSet::new();
        walk(&self.root, &mut out);
        out
    }

    /// Evaluate; `lookup` returns a name's value or None (→ [`EvalError::UnknownName`]).
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<Value, EvalError> {
        self.eval_node(&self.root, lookup)
    }

    /// Evaluate, requiring a number.
    pub fn eval_num(&self, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<Ratio, EvalError> {
        match self.eval(lookup)? {
            Value::Num(r) => Ok(r),
            Value::Bool(_) => Err(EvalError::Type(format!(
                "表达式“{}”的结果应为数值，实际为真假值",
                self.source.trim()
            ))),
        }
    }

    /// Evaluate, requiring a truth value.
    pub fn eval_bool(&self, lookup: &dyn Fn(&str) -> Option<Value>) -> Result<bool, EvalError> {
        match self.eval(lookup)? {
            Value::Bool(b) => Ok(b),
            Value::Num(_) => Err(EvalError::Type(format!(
                "表达式“{}”的结果应为真假值，实际为数值",
                self.source.trim()
            ))),
        }
    }

    fn text(&self, span: Span) -> String {
        self.source
            .chars()
            .skip(span.start)
            .take(span.end - span.start)
            .collect()
    }

    /// The recursive evaluator. Kept lean (one small function per node kind; the work on
    /// already-evaluated values and every message are in non-recursive helpers) so that
    /// nesting costs little stack, even in unoptimised builds.
    fn eval_node(&self, node: &Node, lookup: Lookup<'_>) -> Result<Value, EvalError> {
        match node {
            Node::Num(r) => Ok(Value::Num(*r)),
            Node::Bool(b) => Ok(Value::Bool(*b)),
            Node::Name(n) => lookup(n).ok_or_else(|| EvalError::UnknownName(n.clone())),
            Node::Unary { op, arg } => self.eval_unary(*op, arg, lookup),
            Node::Binary { op, lhs, rhs, span } => self.eval_binary(*op, lhs, rhs, *span, lookup),
            Node::Call { func, args } => self.eval_call(*func, args, lookup),
        }
    }

    fn eval_unary(&self, op: UnOp, arg: &Node, lookup: Lookup<'_>) -> Result<Value, EvalError> {
        let v = self.eval_node(arg, lookup)?;
        apply_unary(op, v)
    }

    fn eval_binary(
        &self,
        op: BinOp,
        lhs: &Node,
        rhs: &Node,
        span: Span,
        lookup: Lookup<'_>,
    ) -> Result<Value, EvalError> {
        let l = self.eval_node(lhs, lookup)?;
        if let BinOp::And | BinOp::Or = op {
            // Short-circuit: the right side is evaluated only when it decides the result.
            let l = logic_operand(op, "左侧", l)?;
            if (op == BinOp::And) != l {
                return Ok(Value::Bool(l));
            }
            let r = self.eval_node(rhs, lookup)?;
            return logic_operand(op, "右侧", r).map(Value::Bool);
        }
        let r = self.eval_node(rhs, lookup)?;
        self.apply_binary(op, l, r, span)
    }

    fn eval_call(&self, func: Func, args: &[Node], lookup: Lookup<'_>) -> Result<Value, EvalError> {
        if func == Func::If {
            // Lazy: only the taken branch is evaluated.
            let c = self.eval_node(&args[0], lookup)?;
            return self.eval_node(&args[if_branch(c)?], lookup);
        }
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval_node(arg, lookup)?);
        }
        apply_function(func, &values)
    }

    #[inline(never)]
    fn apply_binary(&self, op: BinOp, l: Value, r: Value, span: Span) -> Result<Value, EvalError> {
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            let equal = match (l, r) {
                (Value::Num(a), Value::Num(b)) => a == b,
                (Value::Bool(a), Value::Bool(b)) => a == b,
                _ => {
                    return Err(EvalError::Type(format!(
                        "比较“{}”两侧类型不同：左侧为{}，右侧为{}",
                        op.symbol(),
                        l.kind(),
                        r.kind()
                    )))
                }
            };
            return Ok(Value::Bool(equal == (op == BinOp::Eq)));
        }
        let (a, b) = match (l, r) {
            (Value::Num(a), Value::Num(b)) => (a, b),
            _ => {
                let what = if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) {
                    "运算"
                } else {
                    "比较"
                };
                let side = match (l, r) {
                    (Value::Bool(_), Value::Bool(_)) => "两侧",
                    (Value::Bool(_), _) => "左侧",
                    _ => "右侧",
                };
                return Err(EvalError::Type(format!(
                    "{what}“{}”需要数值，但{side}为真假值",
                    op.symbol()
                )));
            }
        };
        let num = |res: Result<Ratio, RatioError>| res.map(Value::Num).map_err(ratio_err);
        match op {
            BinOp::Add => num(a.checked_add(b)),
            BinOp::Sub => num(a.checked_sub(b)),
            BinOp::Mul => num(a.checked_mul(b)),
            BinOp::Div => {
                if b.is_zero() {
                    return Err(EvalError::DivisionByZero {
                        expr: self.text(span),
                    });
                }
                num(a.checked_div(b))
            }
            BinOp::Lt => Ok(Value::Bool(a < b)),
            BinOp::Le => Ok(Value::Bool(a <= b)),
            BinOp::Gt => Ok(Value::Bool(a > b)),
            BinOp::Ge => Ok(Value::Bool(a >= b)),
            BinOp::Eq | BinOp::Ne | BinOp::And | BinOp::Or => unreachable!("handled by the caller"),
        }
    }
}

#[inline(never)]
fn apply_unary(op: UnOp, v: Value) -> Result<Value, EvalError> {
    match (op, v) {
        (UnOp::Neg, Value::Num(r)) => Ok(Value::Num(-r)),
        (UnOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnOp::Neg, v) => Err(EvalError::Type(format!(
            "取负“-”需要数值，实际为{}",
            v.kind()
        ))),
        (UnOp::Not, v) => Err(EvalError::Type(format!(
            "“not”需要真假值，实际为{}",
            v.kind()
        ))),
    }
}

#[inline(never)]
fn logic_operand(op: BinOp, side: &str, v: Value) -> Result<bool, EvalError> {
    match v {
        Value::Bool(b) => Ok(b),
        Value::Num(_) => Err(EvalError::Type(format!(
            "“{}”需要真假值，但{side}为数值",
            op.symbol()
        ))),
    }
}

/// Index of the argument of `if(cond, a, b)` to evaluate.
#[inline(never)]
fn if_branch(cond: Value) -> Result<usize, EvalError> {
    match cond {
        Value::Bool(c) => Ok(if c { 1 } else { 2 }),
        Value::Num(_) => Err(EvalError::Type(
            "函数 if 的条件（第1个参数）应为真假值，实际为数值".to_string(),
        )),
    }
}

#[inline(never)]
fn apply_function(func: Func, values: &[Value]) -> Result<Value, EvalError> {
    let mut nums = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        match v {
            Value::Num(r) => nums.push(*r),
            Value::Bool(_) => {
                return Err(EvalError::Type(format!(
                    "函数 {} 的第{}个参数应为数值，实际为真假值",
                    func.name(),
                    i + 1
                )))
            }
        }
    }
    let result = match func {
        Func::Abs => nums[0].abs(),
        Func::Clamp => nums[0].clamp(nums[1], nums[2]),
        Func::Min => nums.iter().copied().fold(nums[0], Ratio::min),
        Func::Max => nums.iter().copied().fold(nums[0], Ratio::max),
        Func::If => unreachable!("if is evaluated lazily by the caller"),
    };
    Ok(Value::Num(result))
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for Expr {
    type Err = ExprError;
    fn from_str(s: &str) -> Result<Expr, ExprError> {
        Expr::parse(s)
    }
}

impl serde::Serialize for Expr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> serde::Deserialize<'de> for Expr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Expr, D::Error> {
        let src = String::deserialize(deserializer)?;
        Expr::parse(&src)
            .map_err(|e| serde::de::Error::custom(format!("表达式“{src}”有误：{}", e.message)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn r(n: i128, d: i128) -> Ratio {
        Ratio::new(n, d).unwrap()
    }

    fn no_inputs(_: &str) -> Option<Value> {
        None
    }

    fn eval(src: &str) -> Result<Value, EvalError> {
        Expr::parse(src).unwrap().eval(&no_inputs)
    }

    fn num(src: &str) -> Ratio {
        Expr::parse(src).unwrap().eval_num(&no_inputs).unwrap()
    }

    fn with(src: &str, vars: &[(&str, &str)]) -> Result<Value, EvalError> {
        let map: HashMap<String, Value> = vars
            .iter()
            .map(|(k, v)| {
                let value = match *v {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Num(Ratio::parse(v).unwrap()),
                };
                (k.to_string(), value)
            })
            .collect();
        Expr::parse(src)
            .unwrap()
            .eval(&|name: &str| map.get(name).copied())
    }

    fn with_num(src: &str, vars: &[(&str, &str)]) -> Ratio {
        match with(src, vars).unwrap() {
            Value::Num(r) => r,
            other => panic!("{src}: expected a number, got {other:?}"),
        }
    }

    fn parse_err(src: &str) -> ExprError {
        Expr::parse(src).expect_err(src)
    }

    #[test]
    fn literals() {
        assert_eq!(num("8"), r(8, 1));
        assert_eq!(num("0.5"), r(1, 2));
        assert_eq!(num("67.5%"), r(27, 40));
        assert_eq!(num("1_000"), r(1000, 1));
        assert_eq!(eval("true"), Ok(Value::Bool(true)));
        assert_eq!(eval("  false "), Ok(Value::Bool(false)));
    }

    #[test]
    fn precedence() {
        assert_eq!(num("1 + 2 * 3"), r(7, 1));
        assert_eq!(num("(1 + 2) * 3"), r(9, 1));
        assert_eq!(num("-(1 - 3)"), r(2, 1));
        assert_eq!(num("10 - 4 - 3"), r(3, 1));
        assert_eq!(num("12 / 3 / 2"), r(2, 1));
        assert_eq!(num("2 * -3"), r(-6, 1));
        assert_eq!(num("--2"), r(2, 1));
        assert_eq!(num("1+2*3-4/8"), r(13, 2));
        assert_eq!(eval("2 * 3 > 5 and not false"), Ok(Value::Bool(true)));
        assert_eq!(eval("1 > 2 or 2 > 1 and false"), Ok(Value::Bool(false)));
        assert_eq!(eval("true or true and false"), Ok(Value::Bool(true)));
        assert_eq!(eval("not true or true"), Ok(Value::Bool(true)));
        assert_eq!(eval("1 + 1 == 2"), Ok(Value::Bool(true)));
        assert_eq!(eval("1 != 1"), Ok(Value::Bool(false)));
        assert_eq!(eval("true == (1 < 2)"), Ok(Value::Bool(true)));
        assert_eq!(eval("0.1 + 0.2 == 0.3"), Ok(Value::Bool(true)));
        assert_eq!(
            eval("1 <= 1 and 1 >= 1 and 0 < 1 and 1 > 0"),
            Ok(Value::Bool(true))
        );
    }

    #[test]
    fn comparisons_are_not_associative() {
        let e = parse_err("1 < 2 < 3");
        assert_eq!(e.offset, 6);
        assert!(e.message.starts_with("第7个字符处"), "{}", e.message);
        assert!(e.message.contains("不能连用"), "{}", e.message);
        assert!(Expr::parse("1 == 1 == true").is_err());
        assert!(Expr::parse("a <= b >= c").is_err());
        // Parenthesised or joined with and, it is fine.
        assert_eq!(eval("(1 < 2) == true"), Ok(Value::Bool(true)));
        assert_eq!(eval("1 < 2 and 2 < 3"), Ok(Value::Bool(true)));
    }

    #[test]
    fn functions() {
        assert_eq!(num("min(3, 1, 2)"), r(1, 1));
        assert_eq!(num("max(3, 1, 2)"), r(3, 1));
        assert_eq!(num("min(5)"), r(5, 1));
        assert_eq!(num("abs(-2.5)"), r(5, 2));
        assert_eq!(num("clamp(15, 0, 8)"), r(8, 1));
        assert_eq!(num("clamp(-1, 0, 8)"), r(0, 1));
        assert_eq!(num("clamp(3.5, 0, 8)"), r(7, 2));
        assert_eq!(num("if(1 < 2, 10, 20)"), r(10, 1));
        assert_eq!(num("if(1 > 2, 10, 20)"), r(20, 1));
        assert_eq!(num("if(true, if(false, 1, 2), 3)"), r(2, 1));
    }

    #[test]
    fn lazy_if_and_short_circuit_avoid_division_by_zero() {
        let src = "if(den == 0, 0, num / den)";
        assert_eq!(with_num(src, &[("num", "5"), ("den", "0")]), Ratio::ZERO);
        assert_eq!(with_num(src, &[("num", "5"), ("den", "2")]), r(5, 2));
        // Names in the branch not taken need not even exist.
        assert_eq!(with_num("if(true, 1, missing)", &[]), Ratio::ONE);
        assert_eq!(
            with("den != 0 and num / den > 1", &[("num", "5"), ("den", "0")]),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            with("den == 0 or num / den > 1", &[("num", "5"), ("den", "0")]),
            Ok(Value::Bool(true))
        );
    }

    #[test]
    fn names_are_collected() {
        let e = Expr::parse(
            "if(item.actual >= item.target, w, item.actual / item.target * w) + min(a, b_2, 3)",
        )
        .unwrap();
        let names: Vec<String> = e.names().into_iter().collect();
        assert_eq!(names, ["a", "b_2", "item.actual", "item.target", "w"]);
        assert!(Expr::parse("1 + 2 > 0 and true")
            .unwrap()
            .names()
            .is_empty());
        assert_eq!(
            e.source(),
            "if(item.actual >= item.target, w, item.actual / item.target * w) + min(a, b_2, 3)"
        );
    }

    #[test]
    fn unknown_name() {
        let err = with("a + b", &[("a", "1")]).unwrap_err();
        assert_eq!(err, EvalError::UnknownName("b".to_string()));
        assert_eq!(err.to_string(), "未知的输入：b");
    }

    #[test]
    fn division_by_zero_names_the_division() {
        let err = with("1 + a / (b - c) * 2", &[("a", "1"), ("b", "3"), ("c", "3")]).unwrap_err();
        assert_eq!(
            err,
            EvalError::DivisionByZero {
                expr: "a / (b - c)".to_string()
            }
        );
        assert_eq!(err.to_string(), "除数为零：a / (b - c)");
        let err = eval("（1 ÷ 0）").unwrap_err();
        assert_eq!(
            err,
            EvalError::DivisionByZero {
                expr: "1 ÷ 0".to_string()
            }
        );
    }

    #[test]
    fn type_errors_name_the_operator() {
        let cases = [
            ("1 + true", "“+”"),
            ("true * 2", "“*”"),
            ("true < false", "“<”"),
            ("1 == true", "“==”"),
            ("-true", "“-”"),
            ("not 1", "“not”"),
            ("1 and true", "“and”"),
            ("false or 2", "“or”"),
            ("if(1, 2, 3)", "if"),
            ("min(1, true)", "min"),
            ("abs(false)", "abs"),
        ];
        for (src, op) in cases {
            match eval(src) {
                Err(EvalError::Type(msg)) => {
                    assert!(msg.contains(op), "{src}: {msg}");
                    assert!(
                        msg.contains("数值") || msg.contains("真假值"),
                        "{src}: {msg}"
                    );
                }
                other => panic!("{src}: expected a type error, got {other:?}"),
            }
        }
        let e = Expr::parse("1 < 2").unwrap();
        assert!(matches!(e.eval_num(&no_inputs), Err(EvalError::Type(_))));
        assert_eq!(e.eval_bool(&no_inputs), Ok(true));
        let e = Expr::parse("1 + 2").unwrap();
        assert!(matches!(e.eval_bool(&no_inputs), Err(EvalError::Type(_))));
        assert!(EvalError::Type("x".into())
            .to_string()
            .starts_with("类型错误"));
    }

    #[test]
    fn overflow_is_an_error() {
        let big = "170141183460469231731687303715884105727"; // i128::MAX
        assert_eq!(eval(&format!("{big} + 1")), Err(EvalError::Overflow));
        assert_eq!(eval(&format!("{big} * {big}")), Err(EvalError::Overflow));
        assert_eq!(EvalError::Overflow.to_string(), "数值溢出");
        let e = parse_err("1 + 1000000000000000000000000000000000000000000");
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("超出可表示范围"), "{}", e.message);
    }

    #[test]
    fn chinese_operators() {
        let vars = [("a", "15"), ("b", "254")];
        let expected = r(416, 127);
        assert_eq!(with_num("(1 - 10 × a ÷ b) × 8", &vars), expected);
        assert_eq!(with_num("（1 − 10 × a ÷ b）× 8", &vars), expected);
        assert_eq!(with("a ≤ b", &vars), Ok(Value::Bool(true)));
        assert_eq!(with("a ≥ b", &vars), Ok(Value::Bool(false)));
        assert_eq!(with("a ≠ b", &vars), Ok(Value::Bool(true)));
        assert_eq!(with_num("max（a，b）", &vars), r(254, 1));
    }

    /// 编制准确 (8 points): (1 − 10 × 调剂金额 / 年初预算) × 8; 0 if the ratio > 0.1.
    #[test]
    fn primer_budget_accuracy() {
        let rule = "if(adjust / budget > 0.1, 0, (1 - 10 * adjust / budget) * 8)";
        // 15 / 254: 8 × (1 − 150/254) = 8 × 104/254 = 416/127 = 3.2755…
        let s = with_num(rule, &[("adjust", "15"), ("budget", "254")]);
        assert_eq!(s, r(416, 127));
        assert_eq!(s.to_fixed(2), "3.28");
        assert_eq!(
            with_num(rule, &[("adjust", "0"), ("budget", "254")]),
            r(8, 1)
        );
        // Exactly at the 0.1 boundary the formula itself gives 0.
        assert_eq!(
            with_num(rule, &[("adjust", "25.4"), ("budget", "254")]),
            Ratio::ZERO
        );
        assert_eq!(
            with_num(rule, &[("adjust", "30"), ("budget", "254")]),
            Ratio::ZERO
        );
        // 2% adjusted: 8 × 0.8 = 6.4 exactly.
        assert_eq!(
            with_num(rule, &[("adjust", "2"), ("budget", "100")]),
            r(32, 5)
        );
    }

    /// 目标实现: 8 × passed / total.
    #[test]
    fn primer_targets_met() {
        let rule = "8 * passed / total";
        let s = with_num(rule, &[("passed", "7"), ("total", "9")]);
        assert_eq!(s, r(56, 9));
        assert_eq!(s.to_fixed(2), "6.22");
        assert_eq!(with_num(rule, &[("passed", "9"), ("total", "9")]), r(8, 1));
        // An indicator counts when actual >= target and actual <= 1.3 × target.
        let counts = "actual >= target and actual <= 130% * target";
        assert_eq!(
            with(counts, &[("actual", "267"), ("target", "300")]),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            with(counts, &[("actual", "390"), ("target", "300")]),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            with(counts, &[("actual", "390.01"), ("target", "300")]),
            Ok(Value::Bool(false))
        );
    }

    /// 执行进度: months 6, 9, 11 must reach 40%, 67.5%, 82.5%; 2 points each, pro rata below.
    #[test]
    fn primer_execution_progress() {
        let rule = "min(m6 / 40%, 1) * 2 + min(m9 / 67.5%, 1) * 2 + min(m11 / 82.5%, 1) * 2";
        let s = with_num(rule, &[("m6", "35%"), ("m9", "0.70"), ("m11", "80%")]);
        // 0.35/0.4 × 2 = 1.75; 2; 0.8/0.825 × 2 = 64/33  →  751/132 = 5.6893…
        assert_eq!(s, r(751, 132));
        assert_eq!(s.to_fixed(2), "5.69");
        assert_eq!(
            with_num(rule, &[("m6", "40%"), ("m9", "67.5%"), ("m11", "82.5%")]),
            r(6, 1)
        );
    }

    /// 动态调整 (8 points).
    #[test]
    fn primer_dynamic_adjustment() {
        let rule = "if(cancel > 0, cancel / (cancel + writeoff) * 8, \
                    if(writeoff > 0, if(writeoff / total > 0.1, 0, (1 - 10 * writeoff / total) * 8), 8))";
        let v = |c: &str, w: &str, t: &str| {
            with_num(rule, &[("cancel", c), ("writeoff", w), ("total", t)])
        };
        assert_eq!(v("30", "10", "1000"), r(6, 1));
        assert_eq!(v("0", "10", "1000"), r(36, 5)); // (1 − 0.1) × 8 = 7.2
        assert_eq!(v("0", "200", "1000"), Ratio::ZERO);
        assert_eq!(v("0", "0", "0"), r(8, 1)); // both 0: 8, and no division by total
    }

    /// 支出控制 (6 points) and 违规记录 (8 points, −0.5 per problem).
    #[test]
    fn primer_spending_control_and_violations() {
        let rule = "if(abs(final - budget) / budget <= 10%, 6, if(abs(final - budget) / budget <= 20%, 3, 0))";
        let v = |f: &str| with_num(rule, &[("final", f), ("budget", "100")]);
        assert_eq!(v("110"), r(6, 1));
        assert_eq!(v("90"), r(6, 1));
        assert_eq!(v("115"), r(3, 1));
        assert_eq!(v("79.9"), Ratio::ZERO);
        let rule = "max(8 - 0.5 * problems, 0)";
        assert_eq!(with_num(rule, &[("problems", "3")]), r(13, 2));
        assert_eq!(with_num(rule, &[("problems", "20")]), Ratio::ZERO);
    }

    /// 自评准确 deductions and project indicators (财预〔2020〕10号).
    #[test]
    fn primer_review_and_project_rules() {
        let rule = "if(abs(self - check) / check < 5%, 0, if(abs(self - check) / check < 10%, -4, \
                    if(abs(self - check) / check < 20%, -8, -10)))";
        let v = |s: &str| with_num(rule, &[("self", s), ("check", "80")]);
        assert_eq!(v("83"), Ratio::ZERO);
        assert_eq!(v("85"), r(-4, 1)); // 6.25%
        assert_eq!(v("90"), r(-8, 1)); // 12.5%
        assert_eq!(v("100"), r(-10, 1)); // 25%

        // Positive indicator, 天府科技云: 300 orders worth 3000万元 targeted; 267 / 2415 achieved.
        let positive = "if(actual >= target, w, actual / target * w)";
        let v = |a: &str, t: &str| with_num(positive, &[("actual", a), ("target", t), ("w", "10")]);
        assert_eq!(v("267", "300"), r(89, 10));
        assert_eq!(v("2415", "3000"), r(161, 20)); // 8.05
        assert_eq!(v("301", "300"), r(10, 1));

        let reverse = "if(actual <= target, w, if(actual < 2 * target, (1 - (actual - target) / target) * w, 0))";
        let v = |a: &str| with_num(reverse, &[("actual", a), ("target", "30"), ("w", "5")]);
        assert_eq!(v("25"), r(5, 1));
        assert_eq!(v("40"), r(10, 3)); // (1 − 1/3) × 5
        assert_eq!(v("60"), Ratio::ZERO);

        let rate = "min(spent / budget, 1) * 10";
        let s = with_num(rate, &[("spent", "2415"), ("budget", "3000")]);
        assert_eq!(s.to_fixed(2), "8.05");
    }

    #[test]
    fn parse_error_offsets_and_messages() {
        let e = parse_err("min(a, b");
        assert_eq!(e.offset, 8);
        assert_eq!(e.message, "第9个字符处（表达式末尾）应为“,”或“)”");
        let e = parse_err("(1 + 2");
        assert_eq!(e.offset, 6);
        assert_eq!(e.message, "第7个字符处（表达式末尾）应为“)”");
        let e = parse_err("(1 + 2 3");
        assert_eq!(e.offset, 7);
        assert_eq!(e.message, "第8个字符处应为“)”，实际为数字“3”");
        let e = parse_err("1 + * 2");
        assert_eq!(e.offset, 4);
        assert!(
            e.message.starts_with("第5个字符处应为数字、名称或“(”"),
            "{}",
            e.message
        );
        let e = parse_err("1 +");
        assert_eq!(e.offset, 3);
        let e = parse_err("a b");
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("名称“b”"), "{}", e.message);
        let e = parse_err("1 = 1");
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("“==”"), "{}", e.message);
        let e = parse_err("1 ! 1");
        assert_eq!(e.offset, 2);
        let e = parse_err("年初预算 > 0");
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("无法识别的字符“年”"), "{}", e.message);
        let e = parse_err("x # 2");
        assert_eq!(e.offset, 2);
        let e = parse_err("1e3 + 1");
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("不是有效数字：“1e3”"), "{}", e.message);
        assert!(Expr::parse("1.").is_err());
        assert_eq!(parse_err(".5").offset, 0);
        let e = parse_err("   ");
        assert_eq!(e.message, "表达式为空");
        let e = parse_err("foo(1)");
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("未知的函数“foo”"), "{}", e.message);
        let e = parse_err("abs(1, 2)");
        assert_eq!(e.offset, 0);
        assert!(
            e.message.contains("abs 需要1个参数，实际为2个"),
            "{}",
            e.message
        );
        let e = parse_err("if(true, 1)");
        assert!(e.message.contains("if 需要3个参数"), "{}", e.message);
        let e = parse_err("max()");
        assert!(e.message.contains("至少1个"), "{}", e.message);
        let e = parse_err("min + 1");
        assert_eq!(e.offset, 4);
        assert!(e.message.contains("min 是函数名"), "{}", e.message);
        // Offsets are characters, not bytes.
        let e = parse_err("（1 × 2");
        assert_eq!(e.offset, 6);
        let e = parse_err("1 × × 2");
        assert_eq!(e.offset, 4);
        assert_eq!(e.to_string(), e.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse_err(&deep).message.contains("嵌套过深"));
        let deep = format!("{}1", "-".repeat(10_000));
        assert!(parse_err(&deep).message.contains("嵌套过深"));
        let long = vec!["1"; 10_000].join(" + ");
        assert!(parse_err(&long).message.contains("嵌套过深"));
        let ok = vec!["1"; 250].join(" + ");
        assert_eq!(num(&ok), r(250, 1));
        let nested = format!("{}1{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(num(&nested), Ratio::ONE);
        let nested = format!("{}1{}", "abs(".repeat(60), ")".repeat(60));
        assert_eq!(num(&nested), Ratio::ONE);
        let nested = format!("{}1{}", "(1 + 2 * (3 - ".repeat(30), "))".repeat(30));
        assert!(Expr::parse(&nested).is_ok());
        let negated = format!("{}1", "-".repeat(60));
        assert_eq!(num(&negated), Ratio::ONE);
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Rule {
        score: Expr,
    }

    #[test]
    fn serde_round_trip() {
        let rule: Rule = toml::from_str("score = \"8 * passed / total\"").unwrap();
        assert_eq!(rule.score.source(), "8 * passed / total");
        assert_eq!(
            toml::to_string(&rule).unwrap(),
            "score = \"8 * passed / total\"\n"
        );
        let err = toml::from_str::<Rule>("score = \"(1 + 2\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("应为“)”"), "{err}");
        assert!(toml::from_str::<Rule>("score = 3").is_err());
        assert_eq!("1 + 1".parse::<Expr>().unwrap().to_string(), "1 + 1");
        assert_eq!(Value::Num(r(1, 2)).to_string(), "0.5");
        assert_eq!(Value::from(true).to_string(), "true");

        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct Inputs {
            a: Value,
            b: Value,
            c: Value,
        }
        let inputs: Inputs = toml::from_str("a = \"2.5\"\nb = true\nc = 7").unwrap();
        assert_eq!(
            inputs,
            Inputs {
                a: Value::Num(r(5, 2)),
                b: Value::Bool(true),
                c: Value::Num(r(7, 1)),
            }
        );
        let text = toml::to_string(&inputs).unwrap();
        assert_eq!(text, "a = \"2.5\"\nb = true\nc = \"7\"\n");
        assert_eq!(toml::from_str::<Inputs>(&text).unwrap(), inputs);
        let err = toml::from_str::<Inputs>("a = 2.5\nb = true\nc = 7").unwrap_err();
        assert!(err.to_string().contains("use a string such as"), "{err}");
    }

    proptest! {
        #[test]
        fn prop_parse_never_panics(s in "\\PC*") {
            let _ = Expr::parse(&s);
        }

        #[test]
        fn prop_parse_and_eval_never_panic_on_token_soup(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("1"), Just("0"), Just("0.5"), Just("67.5%"), Just("a"), Just("b.c"),
                    Just("true"), Just("false"), Just("+"), Just("-"), Just("*"), Just("/"),
                    Just("×"), Just("÷"), Just("<"), Just("<="), Just("=="), Just("!="),
                    Just("≥"), Just("and"), Just("or"), Just("not"), Just("("), Just(")"),
                    Just("（"), Just("）"), Just(","), Just("min("), Just("if("), Just("clamp("),
                    Just("abs("), Just(" "), Just("."), Just("%"), Just("="),
                ],
                0..40,
            )
        ) {
            let src: String = parts.concat();
            if let Ok(e) = Expr::parse(&src) {
                let lookup = |name: &str| match name {
                    "a" => Some(Value::Num(Ratio::new(3, 7).unwrap())),
                    "b.c" => Some(Value::Bool(true)),
                    _ => None,
                };
                let _ = e.eval(&lookup);
                prop_assert_eq!(e.source(), src.as_str());
            } else if let Err(err) = Expr::parse(&src) {
                prop_assert!(err.offset <= src.chars().count());
            }
        }

        #[test]
        fn prop_integer_arithmetic_matches_i128(
            a in -1000i64..1000, b in -1000i64..1000, c in 1i64..1000
        ) {
            let src = format!("({a}) + ({b}) * ({c}) - ({a}) / ({c})");
            let got = num(&src);
            let expected = Ratio::new(
                i128::from(a) * i128::from(c) + i128::from(b) * i128::from(c) * i128::from(c)
                    - i128::from(a),
                i128::from(c),
            )
            .unwrap();
            prop_assert_eq!(got, expected);
        }
    }
}
