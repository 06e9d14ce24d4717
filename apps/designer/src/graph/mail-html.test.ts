import { withoutScripts } from './mail-html.js';

describe('withoutScripts', () => {
  it('drops event handlers, scripts and javascript: links and keeps the rest of the email', () => {
    expect(withoutScripts('<p>Hi <img src=x onerror="window.__xss=1"> Ada</p>')).toBe(
      '<p>Hi <img src=x> Ada</p>',
    );
    expect(
      withoutScripts(
        `<a href="javascript:alert(1)" onclick='go()'>Open</a><script>evil()</script><p>after</p>`,
      ),
    ).toBe('<a>Open</a><p>after</p>');
    expect(withoutScripts('<svg onload=alert(1)></svg><embed src="x.swf"><p>still here</p>')).toBe(
      '<svg></svg><p>still here</p>',
    );
  });

  it('leaves text that merely mentions "onboarding=" alone', () => {
    expect(
      withoutScripts('<p>Your onboarding=done, <a href="https://example.com/x">see</a></p>'),
    ).toBe('<p>Your onboarding=done, <a href="https://example.com/x">see</a></p>');
  });
});
