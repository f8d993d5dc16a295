/**
 * A campaign becomes an ordinary flow (`campaign_<id>`) made of the engine's generic nodes, so the engine
 * knows nothing of campaigns: a quiz question is a choice whose right option increments a score variable, a
 * story scene is a choice whose options say their lesson, a poll is a choice, a link is an entry or a jump.
 * What must be measured is declared with `count` (an anonymous counter key, `{{var}}` filled in, the picked
 * option's value appended for a choice): nothing of the person is kept, only how many.
 *
 * Counter keys (README "Campaigns"; read by campaigns/evaluation.ts):
 *   camp.<id>.start                                  the campaign was opened
 *   camp.<id>.<quiz>.<question>.<value>              an answer to a quiz question
 *   camp.<id>.<quiz>.done.<score>                    a quiz finished with this many right
 *   camp.<id>.prepost.<pre score>.<post score>       one person's pre and post scores (paired, no id)
 *   camp.<id>.<poll>.<province>.<age band>.<value>   a poll answer by place and age band ("unknown" when not said)
 *   camp.<id>.<story>.<scene>.<value>                a story choice
 *   camp.<id>.<feedback>.<value>                     how the content felt
 *   camp.<id>.complete                               the last item was reached
 */
import type { Campaign, CampaignItem, Question } from './schema.js';

type Raw = Record<string, unknown>;
const L = (vi: string, en: string): { vi: string; en: string } => ({ vi, en });

/** The flow id of a campaign. */
export const campaignFlowId = (id: string): string => `campaign_${id}`;
/** Session variables a campaign run keeps (numbers and bands only). */
export const VARS = { pre: 'camp_pre', post: 'camp_post', age: 'camp_age', province: 'camp_province' } as const;
const NEXT = L('Xem tiếp', 'Next');

/** The questions of a quiz item: its own, or its pre-quiz's for a post-quiz. */
export function questionsOf(c: Campaign, item: Extract<CampaignItem, { type: 'quiz' }>): Question[] {
  if (item.questions) return item.questions;
  const pre = c.items.find((i) => i.type === 'quiz' && i.id === item.of);
  return pre && pre.type === 'quiz' ? pre.questions ?? [] : [];
}

export function compileCampaign(c: Campaign): Raw {
  const nodes: Raw[] = [];
  const key = (...parts: string[]): string => ['camp', c.id, ...parts].join('.');
  // Node ids are short and positional (a button's payload, flow.node:value, must fit 64 bytes); counter keys use the file's ids.
  const first = (i: number): string => (i < c.items.length ? `i${i}` : 'finish');
  let askedAbout = false;

  nodes.push({ id: 'start', type: 'set', values: { [VARS.pre]: 0, [VARS.post]: 0 }, next: 'welcome' });
  nodes.push({
    id: 'welcome', type: 'message', count: key('start'),
    text: L(`${c.title.vi}\n${c.summary.vi}\nBạn có thể gõ "dừng" bất cứ lúc nào.`, `${c.title.en}\n${c.summary.en}\nYou can type "stop" at any time.`),
    next: first(0),
  });

  c.items.forEach((item, i) => {
    const id = `i${i}`;
    const after = first(i + 1);
    switch (item.type) {
      case 'message':
        // One idea per screen: the person moves on when ready (a phone shows a few bubbles at most).
        nodes.push({ id, type: 'choice', text: item.text, nlu: false, options: [{ value: 'next', label: NEXT }], next: after });
        break;
      case 'quiz': {
        const qs = questionsOf(c, item);
        const score = item.phase === 'pre' ? VARS.pre : VARS.post;
        const qid = (k: number): string => (k < qs.length ? `${id}q${k}` : `${id}done`);
        nodes.push({ id, type: 'message', text: item.intro, next: qid(0) });
        // Counted as the last answer is explained (the score is final then), not when the person taps on.
        const done = item.phase === 'post' ? [key(item.id, 'done', `{{${score}}}`), key('prepost', `{{${VARS.pre}}}`, `{{${VARS.post}}}`)] : [key(item.id, 'done', `{{${score}}}`)];
        qs.forEach((q, k) => {
          const last = k === qs.length - 1 ? { count: done } : {};
          const right = q.choices.find((ch) => ch.value === q.correct)!;
          nodes.push({
            id: qid(k), type: 'choice', text: q.text, count: key(item.id, q.id), nlu: false,
            options: q.choices.map((ch) => ({
              value: ch.value, label: ch.label, next: ch.value === q.correct ? `${qid(k)}r` : `${qid(k)}w`,
              ...(ch.value === q.correct ? { inc: [score] } : {}),
            })),
          });
          nodes.push({ id: `${qid(k)}r`, type: 'message', ...last, text: L(`✅ Đúng rồi. ${q.explain.vi}`, `✅ Right. ${q.explain.en}`), next: qid(k + 1) });
          nodes.push({
            id: `${qid(k)}w`, type: 'message', ...last,
            text: L(`Chưa đúng: đáp án là “${right.label.vi}”. ${q.explain.vi}`, `Not quite: the answer is “${right.label.en}”. ${q.explain.en}`), next: qid(k + 1),
          });
        });
        nodes.push({
          id: `${id}done`, type: 'choice', nlu: false, options: [{ value: 'next', label: NEXT }],
          text: item.phase === 'pre'
            ? L(`Bạn trả lời đúng {{${score}}}/${qs.length} câu. Cùng tìm hiểu thêm nhé!`, `You got {{${score}}} of ${qs.length} right. Let's learn a bit more!`)
            : L(`Lần này bạn đúng {{${score}}}/${qs.length} câu (lần đầu: {{${VARS.pre}}}). Cảm ơn bạn đã cùng tìm hiểu!`, `This time you got {{${score}}} of ${qs.length} (first time: {{${VARS.pre}}}). Thank you for learning with us!`),
          next: after,
        });
        break;
      }
      case 'poll': {
        let ask = id;
        if (!askedAbout) {
          // Asked once per campaign, both skippable: results are shown by age band and province, never by person.
          askedAbout = true;
          nodes.push({
            id, type: 'choice', var: VARS.age, nlu: false,
            text: L('Để biết ý kiến theo lứa tuổi (không hỏi tên, không lưu gì về bạn): bạn bao nhiêu tuổi?', 'To see answers by age group (no name asked, nothing kept about you): how old are you?'),
            options: [
              { value: 'under_15', label: L('Dưới 15', 'Under 15') }, { value: '15_17', label: L('15–17', '15–17') },
              { value: '18_24', label: L('18–24', '18–24') }, { value: '25_34', label: L('25–34', '25–34') },
              { value: '35_plus', label: L('35 trở lên', '35 or older') }, { value: 'unknown', label: L('Không muốn nói', 'Rather not say') },
            ],
            next: `${id}p`,
          });
          nodes.push({
            id: `${id}p`, type: 'input', input: 'place', var: VARS.province, optional: true, retries: 1, fail: `${id}a`,
            text: L('Bạn ở tỉnh/thành nào? (gõ tên tỉnh, hoặc "bỏ qua")', 'Which province are you in? (type its name, or "skip")'),
            next: `${id}a`,
          });
          ask = `${id}a`;
        }
        nodes.push({
          id: ask, type: 'choice', text: item.question, nlu: false,
          count: key(item.id, `{{${VARS.province}}}`, `{{${VARS.age}}}`),
          options: item.choices.map((ch) => ({ value: ch.value, label: ch.label })),
          next: after,
        });
        break;
      }
      case 'story': {
        const index = new Map(item.scenes.map((sc, k) => [sc.id, k]));
        const scene = (sid: string): string => (index.get(sid) === 0 ? id : `${id}s${index.get(sid)}`);
        item.scenes.forEach((sc, k) => {
          nodes.push({
            id: scene(sc.id), type: 'choice', nlu: false, count: key(item.id, sc.id),
            text: k === 0 ? L(`📖 ${item.title.vi}\n${sc.text.vi}`, `📖 ${item.title.en}\n${sc.text.en}`) : sc.text,
            options: sc.choices.map((ch) => {
              const goOn = ch.next ? scene(ch.next) : after;
              return { value: ch.value, label: ch.label, next: ch.lesson ? `${scene(sc.id)}_${ch.value}` : goOn };
            }),
          });
          for (const ch of sc.choices) {
            if (!ch.lesson) continue;
            const goOn = ch.next ? scene(ch.next) : after;
            nodes.push({ id: `${scene(sc.id)}_${ch.value}`, type: 'message', text: ch.lesson, next: goOn });
          }
        });
        break;
      }
      case 'link': {
        nodes.push({
          id, type: 'choice', text: item.text, nlu: false,
          options: [
            ...item.links.map((l, k) => ({ value: `go_${k + 1}`, label: l.label, next: `${id}go${k + 1}` })),
            { value: 'next', label: NEXT, next: after },
          ],
        });
        item.links.forEach((l, k) => {
          nodes.push(l.entry ? { id: `${id}go${k + 1}`, type: 'entry', entry: l.entry } : { id: `${id}go${k + 1}`, type: 'jump', flow: l.flow });
        });
        break;
      }
      case 'feedback':
        nodes.push({
          id, type: 'choice', text: item.question, nlu: false, count: key(item.id),
          options: [
            { value: 'useful', label: L('Hữu ích', 'Useful') }, { value: 'ok', label: L('Bình thường', 'Okay') },
            { value: 'not_useful', label: L('Chưa hay', 'Not useful') },
          ],
          next: after,
        });
        break;
    }
  });

  nodes.push({ id: 'finish', type: 'message', count: key('complete'), text: L('Cảm ơn bạn đã tham gia!', 'Thank you for taking part!'), next: 'then' });
  // The way on: another campaign, the opt-in to prevention news (flows/subscribe.yaml), a tip, the menu.
  nodes.push({
    id: 'then', type: 'choice', nlu: true,
    text: L('Bạn muốn làm gì tiếp? Nếu biết điều gì cần báo, bạn có thể gửi tin báo không cần tên.', 'What next? If you know something that should be reported, you can send a tip without your name.'),
    options: [
      { value: 'more', label: L('Chủ đề khác', 'Another topic'), next: 'to_list' },
      { value: 'news', label: L('Nhận tin phòng chống', 'Prevention news'), next: 'to_news' },
      { value: 'tip', label: L('Gửi tin báo', 'Send a tip'), next: 'to_tip' },
      { value: 'menu', label: L('Menu chính', 'Main menu'), next: 'to_menu' },
    ],
  });
  nodes.push({ id: 'to_list', type: 'jump', flow: CAMPAIGN_LIST_FLOW }, { id: 'to_news', type: 'jump', flow: 'subscribe' },
    { id: 'to_tip', type: 'jump', flow: 'tip' }, { id: 'to_menu', type: 'jump', flow: 'menu' });
  return { id: campaignFlowId(c.id), description: `campaign ${c.id} (compiled from content/campaigns/${c.id}.yaml)`, phrases: c.triggers, nodes };
}

/** The flow `campaigns`: every campaign as a button (its `label`), leading into it; typed "trắc nghiệm" opens it. */
export const CAMPAIGN_LIST_FLOW = 'campaigns';
export function compileCampaignList(list: readonly Campaign[]): Raw {
  return {
    id: CAMPAIGN_LIST_FLOW, description: 'the list of prevention campaigns (compiled from content/campaigns/)',
    phrases: ['trắc nghiệm', 'chiến dịch', 'câu đố', 'quiz', 'campaigns'],
    nodes: [
      {
        // Typed words go to the NLU here ("tôi muốn báo tin" at the list starts a tip).
        id: 'list', type: 'choice', count: 'camp_list',
        text: L('Chọn một chủ đề: vài câu hỏi nhanh, một câu chuyện ngắn, rồi thử lại xem bạn đã biết thêm gì. Không hỏi tên, không lưu câu trả lời của riêng ai.',
          'Pick a topic: a few quick questions, a short story, then try again to see what you learned. No name asked, nobody\'s answers kept.'),
        options: [
          ...list.map((c, k) => ({ value: `c${k}`, label: c.label, next: `go${k}` })),
          { value: 'menu', label: L('Menu chính', 'Main menu'), next: 'menu' },
        ],
      },
      ...list.map((c, k) => ({ id: `go${k}`, type: 'jump', flow: campaignFlowId(c.id) })),
      { id: 'menu', type: 'jump', flow: 'menu' },
    ],
  };
}
