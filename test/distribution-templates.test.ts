/**
 * The payload designer's placeholders read the event's own data only: names of JavaScript's object machinery
 * (`constructor`, `__proto__`, `toString`...) lead nowhere, as any unknown path does.
 */
import { describe, expect, it } from 'vitest';
import { renderEmail, renderTemplate } from '../src/modules/distributions/template.js';

const data = { customer: { name: 'Ann', metadata: { tier: 'gold', list: ['a', 'b'] } }, event: { type: 'sign_up' } };

describe('distribution templates', () => {
  it('fill paths into the data, typed when alone and as text inside text', () => {
    expect(renderTemplate({ who: '{{customer.name}}', md: '{{customer.metadata}}', second: '{{customer.metadata.list.1}}', line: 'Hi {{customer.name}} ({{customer.metadata.tier}})' }, data)).toEqual({
      who: 'Ann',
      md: { tier: 'gold', list: ['a', 'b'] },
      second: 'b',
      line: 'Hi Ann (gold)',
    });
  });

  it('never read inherited properties: constructor, __proto__, toString and the like give null alone and nothing in text', () => {
    const paths = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'customer.constructor', 'customer.__proto__', 'customer.name.constructor', 'customer.metadata.list.constructor', 'customer.name.length.constructor', 'event.valueOf'];
    for (const path of paths) {
      expect(renderTemplate({ v: `{{${path}}}` }, data), path).toEqual({ v: null });
      expect(renderTemplate({ v: `[{{${path}}}]` }, data), path).toEqual({ v: '[]' });
      expect(renderEmail({ to: `{{${path}}}`, subject: `x{{${path}}}`, text: `{{${path}}}` }, data), path).toEqual({ to: '', subject: 'x', text: '' });
    }
  });
});
