import { decodeTime } from 'ulid';
import { idFloor, newId } from './ids';

describe('newId', () => {
  it('makes distinct ULIDs that sort in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 10)) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('draws a fresh random part in each millisecond, over the whole alphabet', () => {
    const parts: string[] = [];
    for (let i = 0; i < 40; i++) {
      const t = Date.now();
      while (Date.now() === t) {
        /* wait for the next millisecond: the factory increments within one */
      }
      parts.push(newId().slice(10));
    }
    expect(new Set(parts).size).toBe(parts.length);
    expect(new Set(parts.join('')).size).toBeGreaterThan(24);
  });

  it('keeps the time order idFloor relies on', () => {
    const before = idFloor(new Date(Date.now() - 1));
    const id = newId();
    expect(id > before).toBe(true);
    expect(Math.abs(decodeTime(id) - Date.now())).toBeLessThan(1000);
  });
});
