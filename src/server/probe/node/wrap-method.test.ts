/** The method watcher: transparent calls, one shared wrapper, observers that cannot hurt, a polite unwrap. */
import { describe, expect, it } from 'vitest';
import { methodWatcher } from './wrap-method.ts';

class Sock {
  sent: unknown[] = [];
  send(data: unknown): string {
    this.sent.push(data);
    if (data === 'boom') throw new Error('the original threw');
    return `sent ${String(data)}`;
  }
}

describe('methodWatcher', () => {
  it('calls the original with the same this and arguments, returns and throws what it does, and tells the watch', () => {
    const seen: string[] = [];
    const m = methodWatcher<string>('send', { before: (state, _t, args) => `${state}:${String(args[0])}`, after: (_s, _t, _a, before) => seen.push(before as string), failed: () => {} });
    const a = new Sock();
    expect(m.wrap(a, 'a')).toBe(true);
    expect(a.send('x')).toBe('sent x');
    expect(() => a.send('boom')).toThrow('the original threw');
    expect(a.sent).toEqual(['x', 'boom']);
    expect(seen).toEqual(['a:x']); // after runs only after a call that returned
  });

  it('one wrapper function for every instance (a function per instance costs each its own V8 hidden class)', () => {
    const m = methodWatcher<number>('send', { after: () => {}, failed: () => {} });
    const [a, b] = [new Sock(), new Sock()];
    m.wrap(a, 1);
    m.wrap(b, 2);
    expect(Object.prototype.hasOwnProperty.call(a, 'send')).toBe(true);
    expect(a.send).toBe(b.send);
    expect(new Sock().send).toBe(Sock.prototype.send);
  });

  it('a failing observer is counted by its owner and never felt by the caller', () => {
    const failures: unknown[] = [];
    const m = methodWatcher<null>('send', {
      before: () => {
        throw new Error('before');
      },
      after: () => {
        throw new Error('after');
      },
      failed: (e) => failures.push(e),
    });
    const a = new Sock();
    m.wrap(a, null);
    expect(a.send('x')).toBe('sent x');
    expect(failures).toHaveLength(2);
  });

  it('unwrap restores the prototype method, or leaves a later wrapper in place and passes through', () => {
    const calls: unknown[] = [];
    const m = methodWatcher<null>('send', { after: (_s, _t, args) => calls.push(args[0]), failed: () => {} });
    const a = new Sock();
    m.wrap(a, null);
    m.unwrap(a);
    expect(Object.prototype.hasOwnProperty.call(a, 'send')).toBe(false);

    const b = new Sock();
    m.wrap(b, null);
    const ours = b.send.bind(b);
    b.send = (data: unknown) => `theirs(${ours(data)})`;
    m.unwrap(b);
    expect(b.send('y')).toBe('theirs(sent y)');
    expect(calls).toEqual([]); // unwrapped: no longer watched, though still in their chain
  });

  it('leaves an object alone when the method is not a function', () => {
    const m = methodWatcher<null>('send', { after: () => {}, failed: () => {} });
    const o = { send: 3 };
    expect(m.wrap(o, null)).toBe(false);
    expect(o.send).toBe(3);
  });
});
