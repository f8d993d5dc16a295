/** What both store backends keep alike: how long short-lived records live, and default page sizes. */

/** Processed-message keys are kept a week: a platform redelivers within hours at most. */
export const PROCESSED_TTL_MS = 7 * 86_400_000;
/** Failed follow-up attempts count for a day. */
export const ATTEMPTS_TTL_MS = 86_400_000;
/** Cases listed when no limit is given. */
export const DEFAULT_LIST_LIMIT = 100;
