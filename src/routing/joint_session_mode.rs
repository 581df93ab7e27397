//! How a joint session of the bureaus of one incident is held.

use crate::domain::text_enum;

text_enum! {
    pub enum JointSessionMode {
        /// On the online mediation platform.
        Online = "online",
        /// By video link.
        VideoLink = "video_link",
    }
}

impl JointSessionMode {
    pub fn label(self) -> &'static str {
        match self {
            JointSessionMode::Online => "在线",
            JointSessionMode::VideoLink => "视频",
        }
    }
}
