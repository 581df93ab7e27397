//! Background work each instance runs: mail delivery, deadline sweeps and calendar refresh. All of
//! it is safe with several instances on one database (see `mail` and `deadlines::sweep`).

use std::time::Duration;

use actix_web::web;
use chrono::Duration as Span;

use crate::deadlines::sweep::sweep;
use crate::mail::Mailer;
use crate::state::AppState;

pub fn spawn(state: web::Data<AppState>, mailer: Option<Mailer>) {
    if let Some(mailer) = mailer {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                // A full batch means more may be waiting: go again at once.
                let full = match mailer.deliver_due(&state.db, state.clock.now()).await {
                    Ok(d) => d.sent + d.retried + d.dead >= crate::mail::BATCH as usize,
                    Err(e) => {
                        tracing::warn!(error = %e, "mail delivery round failed");
                        false
                    }
                };
                if !full {
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        });
    }
    let sweeper = state.clone();
    tokio::spawn(async move {
        let lead = Span::hours(sweeper.env.settings.reminder_lead_hours);
        loop {
            // Silence past the settlement window escalates before the generic reminders run.
            match crate::odr::escalate_overdue(&sweeper.db, &sweeper, sweeper.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(escalated = n, "ODR cases escalated on silence"),
                Err(e) => tracing::warn!(error = %e, "ODR escalation sweep failed"),
            }
            match crate::odr::reminders::remind_desks(
                &sweeper.db,
                &sweeper.env,
                sweeper.clock.now(),
            )
            .await
            {
                Ok(0) => {}
                Ok(n) => {
                    tracing::info!(reminded = n, "ODR desks reminded of their settlement limit")
                }
                Err(e) => tracing::warn!(error = %e, "ODR desk reminders failed"),
            }
            match crate::routing::escalate_overdue_transfers(&sweeper.db, sweeper.clock.now()).await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    escalated = n,
                    "jurisdiction disputes escalated to the common superior"
                ),
                Err(e) => tracing::warn!(error = %e, "transfer escalation sweep failed"),
            }
            match crate::leads::escalate_overdue(&sweeper.db, sweeper.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(escalated = n, "overdue enforcement leads escalated"),
                Err(e) => tracing::warn!(error = %e, "lead escalation sweep failed"),
            }
            let window = chrono::Duration::hours(sweeper.env.settings.idempotency_window_hours);
            if let Err(e) =
                crate::http::idempotency::forget_before(&sweeper.db, sweeper.clock.now() - window)
                    .await
            {
                tracing::warn!(error = %e, "forgetting expired idempotency keys failed");
            }
            match crate::evidence::sweep::sweep(
                &sweeper.db,
                &sweeper.env.blobs,
                &sweeper.env.settings,
                sweeper.clock.now(),
            )
            .await
            {
                Ok(s) if s.orphans + s.expired > 0 => tracing::info!(
                    orphans = s.orphans,
                    expired = s.expired,
                    "evidence files removed"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "evidence sweep failed"),
            }
            match sweep(&sweeper.db, lead, sweeper.clock.now()).await {
                Ok(r) if r.due_soon + r.overdue > 0 => tracing::info!(
                    due_soon = r.due_soon,
                    overdue = r.overdue,
                    "deadlines flagged"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
            }
            tokio::time::sleep(Duration::from_secs(
                sweeper.env.settings.sweep_interval_seconds.max(1),
            ))
            .await;
        }
    });
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            match state.env.calendar.refresh(&state.db).await {
                Ok(true) => tracing::info!("calendar reloaded after an upload elsewhere"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "calendar refresh failed"),
            }
        }
    });
}
