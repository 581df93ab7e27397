//! The lists of cases staff work from, scoped in the query to what the caller may see: the API's
//! case list (newest first) and the workbench's work list (next deadline first), one function.
//!
//! Each branch of `access::visibility` is read as its own ordered range, at most `offset +
//! limit + 1` rows, and the branches are merged here, so the database never sorts the union.
//! The work list reads the running deadlines in due order (`idx_deadlines_running_due`), each joined
//! to its case and kept only when it is the case's earliest (`idx_deadlines_case_running`), and
//! stops at the page; the cases without a running deadline follow, newest first.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select,
};

use super::access::{self, STAFF, visibility};
use super::status::{CaseKind, CaseStatus};
use crate::actor::Staff;
use crate::deadlines::{DeadlineKind, DeadlineStatus};
use crate::domain::vocabulary::Category;
use crate::entities::{case, deadline, station, user};

/// The largest page.
pub const MAX_LIMIT: u64 = 200;
/// How deep offset paging reaches: past it, narrow the filters.
pub const MAX_OFFSET: u64 = 10_000;

/// Where a case's next running deadline stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineState {
    /// A running deadline has passed.
    Overdue,
    /// A running deadline falls within the reminder lead time.
    DueSoon,
    /// Deadlines run, none overdue or due soon.
    OnTrack,
    /// No deadline runs (finished, or no limit applies).
    NoDeadline,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<CaseKind>,
    pub status: Option<CaseStatus>,
    /// Only cases still open (no final status).
    pub open_only: bool,
    pub category: Option<Category>,
    /// The handling station.
    pub station_id: Option<String>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    /// A receipt number or USCC (exact, any case), or part of the respondent's name.
    pub search: Option<String>,
    pub deadline: Option<DeadlineState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Received last first (the API's list).
    Newest,
    /// The earliest running deadline first; cases with none after, newest first.
    NextDeadline,
}

/// One listed case with what a list shows beside it.
pub struct Listed {
    pub case: case::Model,
    /// The earliest running (open or paused) deadline.
    pub next_deadline: Option<deadline::Model>,
    pub station_name: Option<String>,
    pub mediator_name: Option<String>,
}

pub struct Listing {
    pub rows: Vec<Listed>,
    /// Another page follows.
    pub more: bool,
}

/// The cases `me` may see that match `filter`, in `order`, `limit` (1–200) from `offset`.
/// `now` and `lead` (the reminder lead time) place deadlines as overdue or due soon.
#[allow(clippy::too_many_arguments)]
pub async fn cases(
    db: &impl ConnectionTrait,
    me: &Staff,
    filter: &Filter,
    order: Order,
    limit: u64,
    offset: u64,
    now: DateTime<Utc>,
    lead: Duration,
) -> Result<Listing, access::Error> {
    me.require(STAFF)?;
    let limit = limit.clamp(1, MAX_LIMIT);
    let offset = std::cmp::min(offset, MAX_OFFSET);
    let wanted = offset + limit + 1;
    let mut rows: Vec<case::Model> = Vec::new();
    for branch in visibility(me) {
        let find = case::Entity::find()
            .filter(branch)
            .filter(conditions(filter, now, lead));
        match order {
            Order::Newest => rows.extend(newest_first(find).limit(wanted).all(db).await?),
            Order::NextDeadline => {
                // Cases whose earliest running deadline comes first, read along the deadlines'
                // (status, due) index and stopping at `wanted`; then, only if those run out,
                // the cases without a running deadline, newest first.
                let mut running = find
                    .clone()
                    .join(JoinType::InnerJoin, deadline::Relation::Case.def().rev())
                    .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
                    .filter(Expr::cust(EARLIEST));
                // A deadline state also bounds the walk along the index: due soon starts at now,
                // on track at the end of the lead time, instead of reading every overdue
                // deadline first.
                running = match filter.deadline {
                    Some(DeadlineState::Overdue) => running.filter(deadline::Column::DueAt.lt(now)),
                    Some(DeadlineState::DueSoon) => running
                        .filter(deadline::Column::DueAt.gte(now))
                        .filter(deadline::Column::DueAt.lt(now + lead)),
                    Some(DeadlineState::OnTrack) => {
                        running.filter(deadline::Column::DueAt.gte(now + lead))
                    }
                    _ => running,
                };
                let running = running.order_by_asc(deadline::Column::DueAt);
                let first = newest_first(running).limit(wanted).all(db).await?;
                let short = wanted - first.len() as u64;
                rows.extend(first);
                // Overdue, due soon and on track all need a running deadline: the walk found
                // every such case there is.
                let rest_may_match =
                    matches!(filter.deadline, None | Some(DeadlineState::NoDeadline));
                if short > 0 && rest_may_match {
                    let rest = find.filter(Expr::cust(format!("NOT EXISTS ({RUNNING_OF_CASE})")));
                    rows.extend(newest_first(rest).limit(short).all(db).await?);
                }
            }
        }
    }
    // A case in two branches (a station's own walk-in) is listed once.
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows.dedup_by(|a, b| a.id == b.id);
    let next = next_deadlines(db, &rows, access::hidden_deadlines(me)).await?;
    let newest =
        |a: &case::Model, b: &case::Model| (b.received_at, &b.id).cmp(&(a.received_at, &a.id));
    match order {
        Order::Newest => rows.sort_by(newest),
        Order::NextDeadline => rows.sort_by(|a, b| {
            let due = |c: &case::Model| next.get(&c.id).map(|d| d.due_at);
            match (due(a), due(b)) {
                (Some(x), Some(y)) => x.cmp(&y).then_with(|| newest(a, b)),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => newest(a, b),
            }
        }),
    }
    let more = rows.len() as u64 > offset + limit;
    let page: Vec<case::Model> = rows
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect();
    let (stations, mediators) = names(db, &page).await?;
    let mut next = next;
    Ok(Listing {
        rows: page
            .into_iter()
            .map(|c| Listed {
                next_deadline: next.remove(&c.id),
                station_name: c.station_id.as_ref().and_then(|s| stations.get(s).cloned()),
                mediator_name: c
                    .mediator_id
                    .as_ref()
                    .and_then(|m| mediators.get(m).cloned()),
                case: c,
            })
            .collect(),
        more,
    })
}

/// The running deadlines of the case row at hand (`cases.id`): one range of
/// `idx_deadlines_case_running`.
const RUNNING_OF_CASE: &str = "SELECT 1 FROM deadlines AS d2 \
     WHERE d2.case_id = cases.id AND d2.status IN ('open', 'paused')";

/// The joined deadline is its case's earliest running one, so a case is listed once.
const EARLIEST: &str = "NOT EXISTS (SELECT 1 FROM deadlines AS d2 \
     WHERE d2.case_id = deadlines.case_id AND d2.status IN ('open', 'paused') \
     AND (d2.due_at < deadlines.due_at OR (d2.due_at = deadlines.due_at AND d2.id < deadlines.id)))";

fn newest_first(find: Select<case::Entity>) -> Select<case::Entity> {
    find.order_by_desc(case::Column::ReceivedAt)
        .order_by_desc(case::Column::Id)
}

fn conditions(f: &Filter, now: DateTime<Utc>, lead: Duration) -> Condition {
    let mut all = Condition::all();
    if let Some(kind) = f.kind {
        all = all.add(case::Column::Kind.eq(kind));
    }
    if let Some(status) = f.status {
        all = all.add(case::Column::Status.eq(status));
    }
    if f.open_only {
        let open: Vec<CaseStatus> = CaseStatus::ALL
            .iter()
            .copied()
            .filter(|s| !s.is_final())
            .collect();
        all = all.add(case::Column::Status.is_in(open));
    }
    if let Some(category) = f.category {
        all = all.add(case::Column::Category.eq(category));
    }
    if let Some(station) = &f.station_id {
        all = all.add(case::Column::StationId.eq(station.as_str()));
    }
    if let Some(from) = f.received_from {
        all = all.add(case::Column::ReceivedAt.gte(from));
    }
    if let Some(before) = f.received_before {
        all = all.add(case::Column::ReceivedAt.lt(before));
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let upper = q.to_uppercase();
        let escaped: String = q
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        all = all.add(
            Condition::any()
                .add(case::Column::ReceiptNumber.eq(upper.as_str()))
                // The respondent's key is its USCC whenever one was given (an index reads it).
                .add(case::Column::RespondentKey.eq(format!("uscc:{upper}")))
                .add(
                    case::Column::RespondentName
                        .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
                ),
        );
    }
    let soon = now + lead;
    match f.deadline {
        Some(DeadlineState::Overdue) => {
            all = all.add(open_due_before(now));
        }
        Some(DeadlineState::DueSoon) => {
            all = all
                .add(open_due_before(soon))
                .add(open_due_before(now).not());
        }
        Some(DeadlineState::OnTrack) => {
            all = all
                .add(case::Column::Id.in_subquery(running()))
                .add(open_due_before(soon).not());
        }
        Some(DeadlineState::NoDeadline) => {
            all = all.add(running_exists().not());
        }
        None => {}
    }
    all
}

/// The case has an open deadline due before `at`: a correlated EXISTS, whose negation
/// PostgreSQL plans as an anti-join (a `NOT IN` over hundreds of thousands of ids is a subplan
/// run per row once it no longer fits in memory).
fn open_due_before(at: DateTime<Utc>) -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(deadline::Entity)
            .and_where(
                Expr::col((deadline::Entity, deadline::Column::CaseId))
                    .equals((case::Entity, case::Column::Id)),
            )
            .and_where(
                Expr::col((deadline::Entity, deadline::Column::Status)).eq(DeadlineStatus::Open),
            )
            .and_where(Expr::col((deadline::Entity, deadline::Column::DueAt)).lt(at))
            .to_owned(),
    )
}

/// The case has a running deadline, as a correlated EXISTS (see `open_due_before`).
fn running_exists() -> SimpleExpr {
    Expr::exists(
        running()
            .and_where(
                Expr::col((deadline::Entity, deadline::Column::CaseId))
                    .equals((case::Entity, case::Column::Id)),
            )
            .to_owned(),
    )
}

/// Ids of cases with a running deadline.
fn running() -> SelectStatement {
    Query::select()
        .column(deadline::Column::CaseId)
        .from(deadline::Entity)
        .and_where(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
        .to_owned()
}

async fn next_deadlines(
    db: &impl ConnectionTrait,
    rows: &[case::Model],
    hidden: &[DeadlineKind],
) -> Result<HashMap<String, deadline::Model>, sea_orm::DbErr> {
    let mut next: HashMap<String, deadline::Model> = HashMap::new();
    for chunk in rows.chunks(500) {
        let found = deadline::Entity::find()
            .filter(deadline::Column::CaseId.is_in(chunk.iter().map(|c| c.id.as_str())))
            .filter(deadline::Column::Status.is_in(DeadlineStatus::RUNNING))
            .all(db)
            .await?;
        for d in found.into_iter().filter(|d| !hidden.contains(&d.kind)) {
            match next.get(&d.case_id) {
                Some(have) if have.due_at <= d.due_at => {}
                _ => {
                    next.insert(d.case_id.clone(), d);
                }
            }
        }
    }
    Ok(next)
}

async fn names(
    db: &impl ConnectionTrait,
    rows: &[case::Model],
) -> Result<(HashMap<String, String>, HashMap<String, String>), sea_orm::DbErr> {
    let station_ids: Vec<&str> = rows
        .iter()
        .filter_map(|c| c.station_id.as_deref())
        .collect();
    let mediator_ids: Vec<&str> = rows
        .iter()
        .filter_map(|c| c.mediator_id.as_deref())
        .collect();
    let stations = if station_ids.is_empty() {
        HashMap::new()
    } else {
        station::Entity::find()
            .filter(station::Column::Id.is_in(station_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect()
    };
    let mediators = if mediator_ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(mediator_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    Ok((stations, mediators))
}
