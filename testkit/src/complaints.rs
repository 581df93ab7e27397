//! Realistic complaint bodies: varied towns across the Yangtze Delta pilot area, channels,
//! categories, names, amounts and facts, with valid identity numbers and USCCs.

use rand::Rng;
use serde_json::json;

pub const TOWNS: &[(&str, &str)] = &[
    ("330421103", "浙江省嘉兴市嘉善县西塘镇"),
    ("330421111", "浙江省嘉兴市嘉善县姚庄镇"),
    ("310118102", "上海市青浦区朱家角镇"),
    ("310118104", "上海市青浦区金泽镇"),
    ("320509110", "江苏省苏州市吴江区黎里镇"),
    ("330421112", "浙江省嘉兴市嘉善县天凝镇"),
    ("320412001", "江苏省常州市武进区"),
];

/// The categories `body` draws from.
pub const CATEGORIES: &[&str] = &[
    "food",
    "catering",
    "general_goods",
    "prepaid_card",
    "services",
    "ecommerce",
];

/// A complaint for `POST /api/v1/complaints`.
pub fn body(rng: &mut impl Rng) -> serde_json::Value {
    let (town, place) = TOWNS[rng.random_range(0..TOWNS.len() - 1)];
    let shop = rng.random_range(0..500u32);
    let channel = ["web", "app", "hotline_12315", "mini_program"][rng.random_range(0..4)];
    let category = CATEGORIES[rng.random_range(0..CATEGORIES.len())];
    let name = ["张三", "李四", "王五", "赵六", "欧阳娜娜"][rng.random_range(0..5)];
    let goods = ["晚餐", "预付卡", "电视机", "美容服务"][rng.random_range(0..4)];
    json!({
        "channel": channel,
        "category": category,
        "complainant": {
            "name": name,
            "phone": format!("13{}{:08}", rng.random_range(3..10), rng.random_range(0..100_000_000u32)),
            "address": format!("{place}人民路{}号", rng.random_range(1..300)),
            "id_type": "resident_id",
            "id_number": resident_id(rng),
        },
        "respondent": {
            "name": format!("某商户{shop}号店"),
            "uscc": uscc(shop),
            "address": format!("{place}南大街{}号", rng.random_range(1..200)),
            "division_code": town,
        },
        "dispute": {
            "occurred_on": "2026-11-20",
            "division_code": town,
            "goods_or_service": goods,
            "amount_fen": rng.random_range(100..2_000_000),
            "facts": format!("消费者于11月{}日购买商品或服务，金额{}元，出现质量问题，商家拒绝处理，要求退款。编号{}",
                rng.random_range(1..21), rng.random_range(1..20000), rng.random::<u32>()),
        },
        "demands": ["refund"],
        "choose_odr": rng.random_bool(0.3),
        "consent_to_publish": rng.random_bool(0.8),
    })
}

/// A GB 11643 resident identity number born 1950–2004 in 嘉善县.
pub fn resident_id(rng: &mut impl Rng) -> String {
    let first17 = format!(
        "330421{:04}{:02}{:02}{:03}",
        rng.random_range(1950..2005),
        rng.random_range(1..13),
        rng.random_range(1..29),
        rng.random_range(0..1000)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", char::from(CHECK[(sum % 11) as usize]))
}

/// The GB 32100 unified social credit code of shop `n` in 嘉善县.
pub fn uscc(n: u32) -> String {
    let first17 = format!("91330421MA{n:07}");
    let check = uscc_check_char(&first17);
    format!("{first17}{check}")
}

/// Computed here rather than borrowed from the service, so generated data also checks its parser.
fn uscc_check_char(first17: &str) -> char {
    const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(c, w)| {
            CHARSET
                .iter()
                .position(|&x| x == c)
                .expect("USCC character")
                * w
        })
        .sum();
    char::from(CHARSET[(31 - sum % 31) % 31])
}

#[cfg(test)]
mod tests {
    #[test]
    fn uscc_check_character_matches_the_standard() {
        assert_eq!(super::uscc_check_char("91350100M000100Y4"), '3');
        assert_eq!(super::uscc_check_char("00000000000000000"), '0');
    }
}
