//! What intake reads before it writes: the business and its ODR enrolment, earlier cases that may
//! be duplicates, and the early warnings a complaint brings due.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SelectStatement, SubQueryStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select,
};

use crate::cases::CaseKind;
use crate::config::Settings;
use crate::entities::{business, case, odr_enrolment};
use crate::oversight::DueAlerts;

/// Facts this similar (character-bigram Jaccard) make a probable duplicate.
const DUPLICATE_SIMILARITY: f64 = 0.5;

/// What intake looks up about a new record besides its routing, in one round trip: the business
/// with its ODR enrolment, whether any earlier case could be a duplicate, and the early warnings
/// a complaint brings due.
pub struct Lookups {
    pub business_id: Option<String>,
    pub enrolled: bool,
    pub duplicate_candidates: bool,
    pub alerts: Option<DueAlerts>,
}

#[allow(clippy::too_many_arguments)]
pub async fn look_up(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
    kind: CaseKind,
    uscc: Option<&str>,
    bureau_code: &str,
    respondent_key: &str,
    complainant_key: Option<&str>,
    since: DateTime<Utc>,
) -> Result<Lookups, super::error::Error> {
    let scalar = |q: SelectStatement| -> Expr {
        Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(q)))
    };
    let mut query = Query::select();
    // A column whatever else is asked, so that the SELECT is never empty.
    query.expr_as(Expr::val(1), "one");
    if let Some(uscc) = uscc {
        let business = Query::select()
            .column(business::Column::Id)
            .from(business::Entity)
            .and_where(business::Column::Uscc.eq(uscc))
            .to_owned();
        let enrolment = Query::select()
            .column(odr_enrolment::Column::Status)
            .from(odr_enrolment::Entity)
            .and_where(odr_enrolment::Column::BusinessId.in_subquery(business.clone()))
            .to_owned();
        query
            .expr_as(scalar(business), "business_id")
            .expr_as(scalar(enrolment), "enrolment");
    }
    if let Some(ck) = complainant_key {
        let candidates = duplicate_candidates(kind, ck, respondent_key, since)
            .select_only()
            .column(case::Column::Id)
            .into_query();
        query.expr_as(Expr::exists(candidates), "duplicates");
        if kind == CaseKind::Complaint {
            for (column, name) in
                crate::oversight::due_alert_columns(settings, bureau_code, respondent_key, ck, now)
            {
                query.expr_as(column, name);
            }
        }
    }
    let row = db
        .query_one_raw(db.get_database_backend().build(&query))
        .await?
        .ok_or_else(|| super::error::Error::Internal("the look-up query returned no row"))?;
    let (business_id, enrolment) = match uscc {
        Some(_) => (
            row.try_get::<Option<String>>("", "business_id")?,
            row.try_get::<Option<String>>("", "enrolment")?,
        ),
        None => (None, None),
    };
    let complaint_by_someone = complainant_key.is_some();
    Ok(Lookups {
        business_id,
        enrolled: enrolment.as_deref() == Some(crate::businesses::Enrolment::Enrolled.as_str()),
        duplicate_candidates: complaint_by_someone && row.try_get::<bool>("", "duplicates")?,
        alerts: match complaint_by_someone && kind == CaseKind::Complaint {
            true => crate::oversight::due_alerts(&row, settings)?,
            false => None,
        },
    })
}

/// Earlier cases of the same kind by the same person against the same respondent since `since`.
fn duplicate_candidates(
    kind: CaseKind,
    complainant_key: &str,
    respondent_key: &str,
    since: DateTime<Utc>,
) -> Select<case::Entity> {
    case::Entity::find()
        .filter(case::Column::RespondentKey.eq(respondent_key))
        .filter(case::Column::ComplainantKey.eq(complainant_key))
        .filter(case::Column::Kind.eq(kind.as_str()))
        .filter(case::Column::ReceivedAt.gte(since))
}

/// The earliest of the [`duplicate_candidates`] whose facts are similar enough; it is linked and
/// flagged, never dropped.
pub async fn probable_duplicate(
    db: &impl ConnectionTrait,
    kind: CaseKind,
    complainant_key: &str,
    respondent_key: &str,
    facts: &str,
    since: DateTime<Utc>,
) -> Result<Option<case::Model>, sea_orm::DbErr> {
    let candidates = duplicate_candidates(kind, complainant_key, respondent_key, since)
        .order_by_asc(case::Column::ReceivedAt)
        .all(db)
        .await?;
    Ok(candidates
        .into_iter()
        .find(|c| similarity(&c.facts, facts) >= DUPLICATE_SIMILARITY))
}

/// Jaccard similarity of character bigrams, ignoring whitespace and punctuation; works for Chinese text.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> HashSet<(char, char)> {
        let chars: Vec<char> = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    let common = x.intersection(&y).count() as f64;
    common / ((x.len() + y.len()) as f64 - common)
}

#[cfg(test)]
mod tests {
    use super::similarity;

    #[test]
    fn similar_facts_score_high_and_different_facts_low() {
        let a = "2026年11月20日在西塘镇某餐馆就餐，菜品中发现异物，要求退款。";
        let b = "11月20日在西塘镇某餐馆就餐时菜品中发现异物，要求退款";
        let c = "购买的电视机屏幕三天后出现坏点，商家拒绝更换。";
        assert!(similarity(a, b) > 0.6, "{}", similarity(a, b));
        assert!(similarity(a, c) < 0.1, "{}", similarity(a, c));
        assert_eq!(similarity(a, a), 1.0);
    }
}
