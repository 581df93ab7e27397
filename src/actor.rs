//! Who acts: staff and desk agents with an account, a consumer with a receipt, a business with a
//! single-use code, or the service itself. Every use case takes the actor; what each may see and
//! do is decided in `cases::access`.

use crate::domain::text_enum;

text_enum! {
    pub enum Role {
        /// An enrolled business's ODR desk; bound to one business.
        EnterpriseAgent = "enterprise_agent",
        /// A mediator at a station; bound to one station.
        Mediator = "mediator",
        /// Staff of a county bureau; bound to one bureau.
        BureauAdmin = "bureau_admin",
        /// Enforcement staff of a county bureau; bound to one bureau.
        EnforcementOfficer = "enforcement_officer",
        SystemAdmin = "system_admin",
    }
}

/// An authenticated account: staff of a bureau or station, or a business's desk agent.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub bureau_code: Option<String>,
    pub station_id: Option<String>,
    pub business_id: Option<String>,
}

/// Who did something, as the timeline and the audit trail record it.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff(Staff),
    /// A consumer acting with a receipt number and access secret.
    Consumer,
    /// The respondent business acting with a single-use code mailed to it.
    Business,
    /// The service itself: sweeps, escalations, the CLI.
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff(s) => s.role.as_str(),
            Actor::Consumer => "consumer",
            Actor::Business => "business",
            Actor::System => "system",
        }
    }

    pub fn user_id(&self) -> Option<String> {
        match self {
            Actor::Staff(s) => Some(s.user_id.clone()),
            _ => None,
        }
    }

    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Actor::Staff(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&Staff> for Actor {
    fn from(s: &Staff) -> Self {
        Actor::Staff(s.clone())
    }
}

impl Role {
    /// The role in Chinese, as the workbench says it.
    pub fn label(self) -> &'static str {
        match self {
            Role::EnterpriseAgent => "企业在线纠纷解决专员",
            Role::Mediator => "调解员",
            Role::BureauAdmin => "市场监管局管理员",
            Role::EnforcementOfficer => "执法人员",
            Role::SystemAdmin => "系统管理员",
        }
    }
}
