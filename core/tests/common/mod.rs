//! Fixtures shared by the store-level test files.
#![allow(dead_code)]

use sotay_core::ids::BranchId;
use sotay_core::model::plan::{NewPlan, NewTopic, TopicGroup};

/// A 2026 plan of the demo branch with only a number.
pub fn new_plan() -> NewPlan {
    NewPlan {
        branch_id: BranchId::new("b-co-dien"),
        year: 2026,
        title: String::new(),
        number: "01-KH/CB".into(),
        issue_date: None,
        purpose: String::new(),
        implementation: String::new(),
    }
}

/// A topic in `month` with only a title.
pub fn topic(title: &str, month: u8) -> NewTopic {
    NewTopic {
        title: title.into(),
        group: TopicGroup::ProductionTargets,
        month,
        scheduled_date: None,
        combined_with_regular_meeting: false,
        preparers: vec![],
        presenter: None,
        executive: None,
        draft_deadline: None,
        expected_output: String::new(),
        notes: String::new(),
    }
}
