//! Pagination tokens: spots between events, written as opaque strings.
//!
//! As in the client-server API, a token is a position *between* events
//! ([`/messages`](https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidmessages):
//! `from`, `start`, `end`). Here a spot is named by the event next to it, not by a number,
//! so it stays where it was when events are inserted: "after X" moves with X, and events
//! inserted right after X come after the spot.

use super::{codes, Timeline};
use crate::dag::NodeIndex;
use crate::problem::Problem;

/// Where a token points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Spot {
    /// Before the first event.
    Start,
    /// After the last event.
    End,
    /// Right before a held timeline event.
    Before(NodeIndex),
    /// Right after a held timeline event.
    After(NodeIndex),
}

/// A pagination token of a [`Timeline`]: a spot between events, valid while the timeline
/// is not rebuilt. Written as `mxt<epoch>_<spot>` by [`Token::write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    pub(crate) epoch: u32,
    pub(crate) spot: Spot,
}

impl Token {
    /// The token's text.
    pub fn write(&self) -> String {
        let spot = match self.spot {
            Spot::Start => "s".to_owned(),
            Spot::End => "e".to_owned(),
            Spot::Before(n) => format!("b{n}"),
            Spot::After(n) => format!("a{n}"),
        };
        format!("mxt{}_{spot}", self.epoch)
    }

    /// Reads a token's text; a problem (`timeline_bad_token`) when it is not one.
    pub fn parse(text: &str) -> Result<Token, Problem> {
        let bad = || {
            Problem::error(
                codes::BAD_TOKEN,
                "$.from",
                format!("{text:?} is not a timeline pagination token (they look like mxt1_a42)."),
            )
        };
        let rest = text.strip_prefix("mxt").ok_or_else(bad)?;
        let (epoch, spot) = rest.split_once('_').ok_or_else(bad)?;
        let epoch: u32 = epoch.parse().map_err(|_| bad())?;
        let node = |digits: &str| digits.parse::<NodeIndex>().map_err(|_| bad());
        let spot = match spot.split_at_checked(1).ok_or_else(bad)? {
            ("s", "") => Spot::Start,
            ("e", "") => Spot::End,
            ("b", n) => Spot::Before(node(n)?),
            ("a", n) => Spot::After(node(n)?),
            _ => return Err(bad()),
        };
        Ok(Token { epoch, spot })
    }
}

impl Timeline {
    /// The token of the spot right before a held timeline event.
    pub fn token_before(&self, event: NodeIndex) -> Token {
        self.token(Spot::Before(event))
    }

    /// The token of the spot right after a held timeline event.
    pub fn token_after(&self, event: NodeIndex) -> Token {
        self.token(Spot::After(event))
    }

    /// A token of this timeline's epoch.
    pub(crate) fn token(&self, spot: Spot) -> Token {
        Token {
            epoch: self.epoch,
            spot,
        }
    }

    /// The cut a token points at: `i` is the spot between `order[i - 1]` and `order[i]`.
    pub(crate) fn cut(&self, token: Token) -> Result<usize, Problem> {
        if token.epoch != self.epoch {
            return Err(Problem::error(
                codes::STALE_TOKEN,
                "$.from",
                format!(
                    "Token {} was written before the timeline was rebuilt (the room was read again); page from an event or a date instead.",
                    token.write()
                ),
            ));
        }
        let at = |n: NodeIndex| {
            self.position(n).ok_or_else(|| {
                Problem::error(
                    codes::BAD_TOKEN,
                    "$.from",
                    format!("Token {} names no timeline event.", token.write()),
                )
            })
        };
        Ok(match token.spot {
            Spot::Start => 0,
            Spot::End => self.order.len(),
            Spot::Before(n) => at(n)?,
            Spot::After(n) => at(n)? + 1,
        })
    }
}
