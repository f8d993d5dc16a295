/**
 * Phrases read the same way by the crisis router and the engine (folded text: no marks, lower case).
 */

/** The message opens with a wish to report: "báo tin ...", "tôi muốn tố giác ...", "I want to report ..." (never a
 * statement about a tip already sent: "em gửi tin báo 5 hôm rồi"). */
export const REPORT_OPENING = /^((toi|em|minh|tui|chau|con) )?(muon|can|xin) (bao tin|gui tin bao|to giac|bao cao|trinh bao)\b|^(bao tin|to giac|trinh bao)\b|^(i )?(want to |would like to |need to )report (a tip|a case|someone|something|child abuse|abuse|trafficking|drug)|^report (a tip|a case|someone|something|child abuse|abuse|trafficking|drug)/;

/** The opening words of a report as typed ("Tôi muốn báo tin: ", "to giac - "), left out of the story they open. */
const OPENING_AS_TYPED = /^\s*((t[ôo]i|em|m[ìi]nh|tui|ch[áa]u|con)\s+)?((mu[ốo]n|c[ầa]n|xin)\s+)?(b[áa]o\s+tin|g[ửu]i\s+tin\s+b[áa]o|t[ốo]\s+gi[áa]c|b[áa]o\s+c[áa]o|tr[ìi]nh\s+b[áa]o|(i\s+)?(want|would like|need)\s+to\s+report|report)\s*(v[ềe]\s+)?[:,.\-–]?\s*/iu;

/** A report's text without its opening words, or the text itself when nothing else is left. */
export function withoutReportOpening(text: string): string {
  const rest = text.normalize('NFC').replace(OPENING_AS_TYPED, '');
  return rest.trim() ? rest : text;
}
