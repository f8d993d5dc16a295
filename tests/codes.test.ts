/**
 * The reference code and the secret typed at the status check (src/engine/inputs.ts): found anywhere in a
 * message, any case, with or without the dash or the spaces.
 */
import { parseInput, parseRefCode, parseSecret, REF_ALPHABET } from '../src/engine/inputs';
import { Engine } from '../src/engine/engine';
import { placeResolver } from '../src/bundle/places';
import type { Input, StepResult } from '../src/engine/types';
import { core } from './helpers/core';

const NOW = Date.UTC(2026, 0, 1);

describe('reference code (BA-XXXXXX)', () => {
  it.each([
    ['BA-7K2M9Q', 'BA-7K2M9Q'],
    ['ba-7k2m9q', 'BA-7K2M9Q'],
    ['BA7K2M9Q', 'BA-7K2M9Q'],
    ['ba7k2m9q', 'BA-7K2M9Q'],
    ['  BA-7K2M9Q  ', 'BA-7K2M9Q'],
    ['BA 7K2M9Q', 'BA-7K2M9Q'],
    ['BA - 7K2M9Q', 'BA-7K2M9Q'],
    ['BA_7K2M9Q', 'BA-7K2M9Q'],
    ['BA–7K2M9Q', 'BA-7K2M9Q'], // en dash, as phones autocorrect
    ['ＢＡ－７Ｋ２Ｍ９Ｑ', 'BA-7K2M9Q'], // full-width, from some keyboards
    ['mã của tôi là ba-7k2m9q', 'BA-7K2M9Q'],
    ['ma cua toi la BA7K2M9Q nhe', 'BA-7K2M9Q'],
    ['ma la ba 7k2m9q', 'BA-7K2M9Q'],
    ['Mã tra cứu: BA-7K2M9Q.', 'BA-7K2M9Q'],
    ['my code is ba-7k2m9q, thanks', 'BA-7K2M9Q'],
    ['(BA-7K2M9Q)', 'BA-7K2M9Q'],
    ['"BA-7K2M9Q"', 'BA-7K2M9Q'],
    ['mã BA-7K2M9Q, mật mã 4821 9375 1106', 'BA-7K2M9Q'],
    ['BA-ABCDEF', 'BA-ABCDEF'], // a code may have no digit
    // "ba" is also a Vietnamese word: a code with its dash (or joined, or with a digit) wins.
    ['ba nguyen nói mã là BA-7K2M9Q', 'BA-7K2M9Q'],
    ['ba người bảo mã ba 7k2m9q', 'BA-7K2M9Q'],
    // Typed without "BA".
    ['7K2M9Q', 'BA-7K2M9Q'],
    ['mã là 7k2m9q', 'BA-7K2M9Q'],
  ])('%s → %s', (typed, code) => {
    expect(parseRefCode(typed)).toEqual({ ok: true, value: code });
    expect(parseInput('code', typed, NOW)).toEqual({ ok: true, value: code });
  });

  it.each([
    '', 'BA', 'BA-7K2M9', 'BA-7K2M9QX', 'BA-7K2M9QX2', 'BA-7K2M0Q', 'BA-7K2M1Q', 'BA-7K2MOQ', 'BA-7K2MIQ', // 0, 1, O and I are never used
    'BA-7K2M9Q2', 'mã của tôi là gì', 'tôi quên mã rồi', 'ba mẹ tôi', 'ok', '123456', 'ABCDEF',
    '4821 9375 1106', 'mã 7K2M9Q hay 8K3N4R', // two different bare codes: asked again
  ])('%s is not a code', (typed) => {
    expect(parseRefCode(typed)).toEqual({ ok: false, error: 'invalid_code' });
  });

  it('accepts every code the program makes', () => {
    for (let i = 0; i < 200; i++) {
      let body = '';
      for (let j = 0; j < 6; j++) body += REF_ALPHABET[(i * 7 + j * 13 + j * i) % REF_ALPHABET.length];
      expect(parseRefCode(`mã của tôi là ba-${body.toLowerCase()} ạ`)).toEqual({ ok: true, value: `BA-${body}` });
      expect(parseRefCode(`BA${body}`)).toEqual({ ok: true, value: `BA-${body}` });
    }
  });
});

describe('secret (12 digits, shown as "4821 9375 1106")', () => {
  it.each([
    ['482193751106', '482193751106'],
    ['4821 9375 1106', '482193751106'],
    ['4821-9375-1106', '482193751106'],
    ['4821.9375.1106', '482193751106'],
    ['4821  9375  1106', '482193751106'],
    ['4821 – 9375 – 1106', '482193751106'],
    ['482 193 751 106', '482193751106'],
    ['４８２１ ９３７５ １１０６', '482193751106'],
    ['mã bí mật là 4821 9375 1106', '482193751106'],
    ['ma bi mat: 482193751106 nhe', '482193751106'],
    ['my secret is 4821-9375-1106.', '482193751106'],
    ['BA-7K2M9Q 4821 9375 1106', '482193751106'],
    ['4821 9375 1106, mã BA-7K2M9Q', '482193751106'],
    ['4821 9375 1106 (4821 9375 1106)', '482193751106'], // the same one twice
  ])('%s → %s', (typed, secret) => {
    expect(parseSecret(typed)).toEqual({ ok: true, value: secret });
    expect(parseInput('secret', typed, NOW)).toEqual({ ok: true, value: secret });
  });

  it.each([
    '', '4821 9375 110', '4821 9375 11066', '1 4821 9375 1106', 'mã bí mật của tôi', 'số tôi 0987654321', '0987 654 321',
    '+84 987 654 321', '4821 9375 1106 và 1234 5678 9012', // two different secrets: asked again
    'BA-7K2M9Q',
  ])('%s is not a secret', (typed) => {
    expect(parseSecret(typed)).toEqual({ ok: false, error: 'invalid_secret' });
  });
});

describe('through the engine, at the status check', () => {
  const { bundle, nlu } = core();
  const engine = new Engine(bundle, nlu, { idleTimeoutMs: 30 * 60_000, threshold: 0.45, places: placeResolver(bundle.content.places) });
  let seq = 0;
  const text = (t: string): Input => ({ kind: 'text', text: t, id: `c${++seq}`, now: NOW });
  const run = (...inputs: string[]): StepResult => {
    let r = engine.step(undefined, text(inputs[0]));
    for (const t of inputs.slice(1)) r = engine.step(r.session, text(t));
    return r;
  };

  it.each([
    ['mã của tôi là ba-7k2m9q', 'mã bí mật là 4821 9375 1106'],
    ['BA7K2M9Q', '482193751106'],
    ['ma la ba 7k2m9q', 'ma bi mat 4821-9375-1106 nhe'],
    ['my code is BA-7K2M9Q', 'the secret is 4821 9375 1106'],
  ])('%s / %s → check_case with the code and the secret', (code, secret) => {
    const r = run('tra cứu tin báo', code, secret);
    expect(r.events.find((e) => e.type === 'action')).toMatchObject({ action: 'check_case', args: { ref: 'BA-7K2M9Q', secret: '482193751106' } });
    expect(JSON.stringify(r.session)).not.toContain('482193751106');
  });
});
