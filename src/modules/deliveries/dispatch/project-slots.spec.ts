import { ACTIVE_WINDOW_MS, ProjectSlots } from './project-slots';

describe('ProjectSlots', () => {
  let t = 0;
  const clock = (): number => t;
  beforeEach(() => {
    t = 0;
  });

  it('lets a project alone hold its share and keeps the rest for whoever turns up', () => {
    const s = new ProjectSlots(10, 0.9, clock);
    const got = Array.from({ length: 12 }, () => s.tryAcquire('hostile'));
    expect(got.filter(Boolean)).toHaveLength(9);
    expect(s.tryAcquire('normal')).toBe(true);
  });

  it('splits the slots evenly once several projects are active', () => {
    const s = new ProjectSlots(10, 0.9, clock);
    for (let i = 0; i < 9; i++) s.tryAcquire('hostile');
    expect(s.tryAcquire('normal')).toBe(true);
    // the hostile project now holds more than its half: it gets nothing more until it gives back
    expect(s.capFor()).toBe(5);
    expect(s.tryAcquire('hostile')).toBe(false);
    for (let i = 0; i < 4; i++) s.release('hostile');
    expect(s.tryAcquire('hostile')).toBe(false);
    s.release('hostile');
    expect(s.held('hostile')).toBe(4);
    expect(s.tryAcquire('hostile')).toBe(true);
  });

  it('forgets a project that has been quiet for the window, so the busy one gets its share back', () => {
    const s = new ProjectSlots(10, 0.9, clock);
    s.tryAcquire('normal');
    s.release('normal');
    expect(s.capFor()).toBe(9);
    s.tryAcquire('hostile');
    expect(s.capFor()).toBe(5);
    t = ACTIVE_WINDOW_MS + 1;
    s.tryAcquire('hostile');
    expect(s.capFor()).toBe(9);
  });

  it('keeps at least one slot per project, however many are active', () => {
    const s = new ProjectSlots(4, 0.5, clock);
    for (let i = 0; i < 10; i++) expect(s.tryAcquire(`p${i}`)).toBe(true);
    expect(s.tryAcquire('p0')).toBe(false);
  });

  it('with a share of 1 lets a lone project use every slot', () => {
    const s = new ProjectSlots(3, 1, clock);
    expect([s.tryAcquire('a'), s.tryAcquire('a'), s.tryAcquire('a'), s.tryAcquire('a')]).toEqual([true, true, true, false]);
  });
});
