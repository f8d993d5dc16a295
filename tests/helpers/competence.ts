/**
 * The same conversation checks on every channel path: a crisis gets its own first answer with the right
 * number first, and an English speaker is answered in English from the first message, follow-ups included.
 */
const PHONE = /\+?\d[\d .]{1,14}\d|\b\d{3}\b/;
const VI_MARKS = /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i;

/** The first phone number in a text, as written. */
export const firstNumber = (text: string): string | undefined => PHONE.exec(text)?.[0]?.trim();
/** True when a reply is in English: hardly a Vietnamese letter in it (names such as "UBND cấp xã" may stay). */
export const isEnglish = (text: string): boolean => {
  const words = text.split(/\s+/).filter(Boolean);
  return words.filter((w) => VI_MARKS.test(w)).length <= words.length * 0.1;
};

export const TRAPPED = 'em đang ở Campuchia bị công ty giữ hộ chiếu, không cho về';
export const CONSULAR = '+84 981 84 84 84';
export const ENGLISH_QUESTION = 'Hello, how can I register my brother for drug rehab?';
export const ENGLISH_FOLLOW_UP = 'how long does it take';
