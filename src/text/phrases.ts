/**
 * Phrases read the same way by the crisis router and the engine (folded text: no marks, lower case).
 */

/** The message opens with a wish to report: "báo tin ...", "tôi muốn tố giác ...", "I want to report ..." (never a
 * statement about a tip already sent: "em gửi tin báo 5 hôm rồi"). */
export const REPORT_OPENING = /^((toi|em|minh|tui|chau|con) )?(muon|can|xin) (bao tin|gui tin bao|to giac|bao cao|trinh bao)\b|^(bao tin|to giac|trinh bao)\b|^(i )?(want to |would like to |need to )report (a tip|a case|someone|something|child abuse|abuse|trafficking|drug)|^report (a tip|a case|someone|something|child abuse|abuse|trafficking|drug)/;
