//! The 调解书: its number in the bureau's gap-free yearly series, and its content (domain.md §3.6):
//! number; complainant (name, phone, address, agent); respondent (name, USCC, legal representative,
//! premises, agent); the complaint and demand; the agreed terms; the legal-effect clause; both
//! parties' confirmations; the mediator; the bureau's seal; the date.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use super::pdf::Block;
use super::states::ConfirmedVia;
use super::{local_time, yuan};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::PartyRole;
use crate::cases::access::own_bureau;
use crate::deadlines::local_date;
use crate::divisions::Divisions;
use crate::domain::dates::chinese_date;
use crate::domain::identifiers::PersonName;
use crate::domain::text::single_line;
use crate::domain::vocabulary::Demand;
use crate::entities::{bureau, case, document_counter, mediation_agreement, party};
use crate::routing::bureau_name;

/// One agreed term: what, how much, by when.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct Term {
    #[validate(length(min = 2, max = 500))]
    #[schema(min_length = 2, max_length = 500)]
    #[schema(example = "被投诉人退还餐费并赔偿")]
    pub what: String,
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    #[serde(deserialize_with = "crate::domain::fen::whole")]
    pub amount_fen: i64,
    pub due_on: NaiveDate,
}

/// Particulars the document names besides what intake recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Validate, ToSchema)]
pub struct Particulars {
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub complainant_agent: Option<String>,
    /// Defaults to the business register's entry.
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub respondent_legal_representative: Option<String>,
    /// Defaults to the respondent's address on the complaint.
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub respondent_premises: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 100)]
    pub respondent_agent: Option<String>,
}

/// The county name without its 县/区/市, then 市监调: `嘉善市监调`.
pub fn derived_prefix(bureau_code: &str) -> String {
    let name = Divisions::builtin()
        .get(bureau_code)
        .map_or(bureau_code, |d| d.name);
    let short = match name.chars().count() {
        n if n > 2 => name.strip_suffix(['县', '区', '市']).unwrap_or(name),
        _ => name,
    };
    format!("{short}市监调")
}

pub async fn prefix(db: &impl ConnectionTrait, bureau_code: &str) -> Result<String, Error> {
    Ok(bureau::Entity::find_by_id(bureau_code.to_owned())
        .one(db)
        .await?
        .and_then(|b| b.document_prefix)
        .unwrap_or_else(|| derived_prefix(bureau_code)))
}

/// Sets the prefix of a bureau's 调解书 numbers, with its audit entry: by the `bureau_admin` of
/// that bureau or a `system_admin`. Returns the prefix as stored.
pub async fn set_prefix(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    prefix: &str,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    me.require(&[Role::BureauAdmin, Role::SystemAdmin])?;
    own_bureau(me, bureau_code)?;
    let prefix = prefix.trim().to_owned();
    if prefix
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "〔〕第号".contains(c))
    {
        return Err(Error::field(
            "prefix",
            "no spaces, and none of 〔〕第号 (the number adds them)",
        ));
    }
    let b = bureau::Entity::find_by_id(bureau_code.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::not_found(format!("no bureau {bureau_code}")))?;
    let mut active: bureau::ActiveModel = b.into();
    active.document_prefix = Set(Some(prefix.clone()));
    active.update(db).await?;
    audit::record(
        db,
        &Actor::from(me),
        "bureau.document_prefix",
        None,
        json!({"bureau_code": bureau_code, "prefix": prefix}),
        now,
    )
    .await?;
    Ok(prefix)
}

pub fn number(prefix: &str, year: i32, seq: i32) -> String {
    format!("{prefix}〔{year}〕第{seq:04}号")
}

/// The next number of a bureau's series for a year. One upsert bumps the counter row: concurrent
/// issuers (other connections or instances) queue on that row, and a rolled-back issue returns
/// its number, so the series has no gaps and no duplicates.
pub async fn next_seq(
    db: &impl ConnectionTrait,
    bureau_code: &str,
    year: i32,
) -> Result<i32, Error> {
    use document_counter::Column;
    let stmt = Query::insert()
        .into_table(document_counter::Entity)
        .columns([Column::BureauCode, Column::Year, Column::LastSeq])
        .values_panic([bureau_code.into(), year.into(), 1.into()])
        .on_conflict(
            OnConflict::columns([Column::BureauCode, Column::Year])
                .value(
                    Column::LastSeq,
                    Expr::col((document_counter::Entity, Column::LastSeq)).add(1),
                )
                .to_owned(),
        )
        .returning_col(Column::LastSeq)
        .to_owned();
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| Error::internal("the counter upsert returned no row"))?;
    Ok(row.try_get::<i32>("", "last_seq")?)
}

/// What only an issued document has.
pub struct Issued<'a> {
    pub number: &'a str,
    pub issued_at: DateTime<Utc>,
    pub key_id: &'a str,
}

pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    /// Plain text, for the draft the parties confirm by mail.
    pub fn text(&self) -> String {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Title(t) | Block::Right(t) | Block::Heading(t) => t.clone(),
                Block::Para { text, indent } => {
                    format!("{}{text}", if *indent { "　　" } else { "" })
                }
                Block::Gap => String::new(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

const NUMERALS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十",
];

/// Whose copy of the document: the complete one (archive, consumer), or the business's, which for a
/// complainant who concealed their identity from it carries the name masked and no phone or
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFor {
    Complete,
    Business,
}

/// What stands in the business's copy for a concealed complainant's contact details.
pub const WITHHELD: &str = "（应投诉人要求不向被投诉人提供）";

/// The document for an agreement; without `issued` it is the draft the parties confirm.
pub async fn compose(
    db: &impl ConnectionTrait,
    c: &case::Model,
    a: &mediation_agreement::Model,
    issued: Option<&Issued<'_>>,
    copy: CopyFor,
) -> Result<Document, Error> {
    let bureau = bureau_name(db, &c.bureau_code).await?;
    let complainant = party::Entity::find()
        .filter(party::Column::CaseId.eq(&c.id))
        .filter(party::Column::Role.is_in([PartyRole::Complainant, PartyRole::Representative]))
        .order_by_asc(party::Column::Position)
        .one(db)
        .await?
        .ok_or_else(|| Error::NoComplainant)?;
    let station_name = crate::routing::station_name(db, c.station_id.as_deref()).await?;
    let mediator = match &c.mediator_id {
        Some(id) => crate::accounts::display_name(db, id).await?,
        None => None,
    };
    let mut complainant = complainant;
    let concealed = copy == CopyFor::Business && c.conceal_identity;
    if concealed {
        complainant.name = PersonName::parse(&complainant.name)
            .map(|n| n.masked())
            .unwrap_or_else(|_| "*".into());
        complainant.phone = Some(WITHHELD.to_owned());
        complainant.address = Some(WITHHELD.to_owned());
    }
    let terms: Vec<Term> = serde_json::from_str(&a.terms).unwrap_or_default();
    let p: Particulars = serde_json::from_str(&a.particulars).unwrap_or_default();
    let none = || "无".to_owned();
    let stored: Vec<String> = serde_json::from_str(&c.demands).unwrap_or_default();
    let demands: Vec<&str> = stored
        .iter()
        .map(|d| Demand::parse(d).map_or(d.as_str(), |x| x.label()))
        .collect();
    let amount = c
        .amount_fen
        .map(|f| format!("，金额{}元", yuan(f)))
        .unwrap_or_default();
    let occurred = c
        .occurred_on
        .map(|d| format!("{}，", chinese_date(d)))
        .unwrap_or_default();
    let host = station_name.clone().unwrap_or_else(|| bureau.clone());
    let mediator_line = match (&c.delegate_organisation, &c.delegate_mediator) {
        (Some(org), Some(person)) => format!("调解员：{person}（{org}，受{bureau}委托）"),
        _ => format!(
            "调解员：{}（{host}）",
            mediator.unwrap_or_else(|| "—".to_owned())
        ),
    };
    let confirmed = |at: Option<DateTime<Utc>>, how: &str| match at {
        Some(t) => format!("已于{}{how}确认", local_time(t)),
        None => "待确认".to_owned(),
    };
    let business_how = match a.business_confirmed_via {
        Some(ConfirmedVia::Code) => "凭确认码",
        _ => "经企业账号",
    };

    let mut blocks = vec![
        Block::Title(bureau.clone()),
        Block::Title("调 解 书".to_owned()),
        Block::Right(issued.map_or_else(
            || "（文书编号于签发时生成）".to_owned(),
            |i| i.number.to_owned(),
        )),
        Block::Gap,
        Block::para(format!("投诉人：{}", complainant.name)),
        Block::para(format!(
            "联系电话：{}",
            complainant.phone.clone().unwrap_or_else(none)
        )),
        Block::para(format!(
            "住址：{}",
            complainant.address.clone().unwrap_or_else(none)
        )),
        Block::para(format!(
            "委托代理人：{}",
            p.complainant_agent.clone().unwrap_or_else(none)
        )),
        Block::Gap,
        Block::para(format!("被投诉人：{}", c.respondent_name)),
        Block::para(format!(
            "统一社会信用代码：{}",
            c.respondent_uscc.clone().unwrap_or_else(none)
        )),
        Block::para(format!(
            "法定代表人（负责人）：{}",
            p.respondent_legal_representative
                .clone()
                .unwrap_or_else(none)
        )),
        Block::para(format!(
            "经营场所：{}",
            p.respondent_premises
                .clone()
                .unwrap_or_else(|| c.respondent_address.clone())
        )),
        Block::para(format!(
            "委托代理人：{}",
            p.respondent_agent.clone().unwrap_or_else(none)
        )),
        Block::Gap,
        Block::Heading("投诉事项及请求".to_owned()),
        Block::indented(format!(
            "{occurred}投诉人在被投诉人处购买商品或者接受服务（{}{amount}）。{}",
            c.goods_or_service, c.facts
        )),
        Block::indented(format!("投诉请求：{}。", demands.join("、"))),
        Block::Heading("调解协议".to_owned()),
        Block::indented(format!(
            "经{host}主持调解，双方当事人在自愿、合法的基础上达成如下协议："
        )),
    ];
    for (i, t) in terms.iter().enumerate() {
        blocks.push(Block::indented(format!(
            "{}、{}，金额人民币{}元，于{}前履行完毕。",
            NUMERALS.get(i).copied().unwrap_or("·"),
            t.what,
            yuan(t.amount_fen),
            chinese_date(t.due_on)
        )));
    }
    blocks.extend([
        Block::Heading("法律效力".to_owned()),
        Block::indented(
            "本调解书经双方当事人确认、由本局签章后生效，双方当事人应当按照约定履行。本调解书不影响当事人依照《中华人民共和国消费者权益保护法》第三十九条的规定，通过向人民法院提起诉讼或者依法申请仲裁等途径解决争议。",
        ),
        Block::Heading("当事人确认".to_owned()),
        Block::para(format!(
            "投诉人：{}，{}",
            complainant.name,
            confirmed(a.consumer_confirmed_at, "在线")
        )),
        Block::para(format!(
            "被投诉人：{}，{}",
            c.respondent_name,
            confirmed(a.business_confirmed_at, business_how)
        )),
        Block::para(mediator_line),
        Block::Gap,
        Block::Right(format!("{bureau}（印）")),
        Block::Right(issued.map_or_else(
            || "（签发日期）".to_owned(),
            |i| chinese_date(local_date(i.issued_at)),
        )),
        Block::Gap,
        Block::para(match issued {
            Some(i) => format!(
                "本调解书一式三份，双方当事人各执一份，本局存档一份。电子文本由本局以Ed25519密钥{}签名，可在/api/v1/agreements/{}/verify核验真伪。",
                i.key_id,
                urlencode(i.number)
            ),
            None => "本调解书一式三份，双方当事人各执一份，本局存档一份。".to_owned(),
        }),
    ]);
    if concealed {
        blocks.push(Block::para(
            "本件为被投诉人副本：应投诉人要求隐去其身份信息；完整文本由本局存档，核验以存档文本为准。"
                .to_owned(),
        ));
    }
    Ok(Document {
        title: format!("调解书 {}", issued.map_or("（草稿）", |i| i.number)),
        blocks,
    })
}

/// Percent-encodes a document number for a URL path.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_zero_padded_in_the_bureau_series() {
        assert_eq!(number("嘉市监善调", 2026, 12), "嘉市监善调〔2026〕第0012号");
        assert_eq!(derived_prefix("330421"), "嘉善市监调");
        assert_eq!(derived_prefix("310118"), "青浦市监调");
        assert_eq!(urlencode("A〔1〕"), "A%E3%80%941%E3%80%95");
    }
}
