//! Live campus status: a change is published once committed and every open page of that
//! campus hears it through Server-Sent Events. Within one server a broadcast channel carries
//! it; on PostgreSQL a NOTIFY carries it to every instance, each of which re-broadcasts it.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// What a page is told when a campus's status changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LiveStatus {
    pub district_id: String,
    pub campus_id: String,
    pub status: String,
    pub label: String,
    pub event_id: Option<String>,
    pub version: i64,
}

#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<LiveStatus>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }
}

impl Hub {
    pub fn publish(&self, status: LiveStatus) {
        // No listener is not an error: nobody has the page open.
        let _ = self.sender.send(status);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveStatus> {
        self.sender.subscribe()
    }
}

/// Forwards status changes notified by every instance (PostgreSQL) into this one's hub.
pub async fn listen(db: triad_store::Db, hub: Hub) {
    triad_store::operations::listen(db, move |payload| {
        if let Ok(status) = serde_json::from_str::<LiveStatus>(payload) {
            hub.publish(status);
        }
    })
    .await;
}
