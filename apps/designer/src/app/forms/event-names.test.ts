import { nearestName, unseenNameWarning } from './event-names.js';

const catalog = ['Order Completed', 'Product Viewed', 'Cart Abandoned', 'Email Opened'];

describe('nearestName', () => {
  it('finds the same words written in snake case, kebab case or another case', () => {
    expect(nearestName('order_completed', catalog)).toBe('Order Completed');
    expect(nearestName('product-viewed', catalog)).toBe('Product Viewed');
    expect(nearestName('CART ABANDONED', catalog)).toBe('Cart Abandoned');
  });

  it('finds a close misspelling', () => {
    expect(nearestName('Order Complted', catalog)).toBe('Order Completed');
    expect(nearestName('Email Openned', catalog)).toBe('Email Opened');
  });

  it('suggests nothing for a name unlike any known one', () => {
    expect(nearestName('Subscription Renewed', catalog)).toBeUndefined();
    expect(nearestName('', catalog)).toBeUndefined();
  });
});

describe('unseenNameWarning', () => {
  it('warns on a name never received and offers the one it likely meant', () => {
    expect(unseenNameWarning('order_completed', catalog)).toEqual({
      message: 'No event named “order_completed” has arrived yet; did you mean “Order Completed”?',
      suggestion: 'Order Completed',
    });
  });

  it('warns without a suggestion when nothing is close', () => {
    expect(unseenNameWarning('Trial Started', catalog)).toEqual({
      message: 'No event named “Trial Started” has arrived yet.',
    });
  });

  it('says nothing for a known name, an empty one, or while the catalog is unknown', () => {
    expect(unseenNameWarning('Order Completed', catalog)).toBeUndefined();
    expect(unseenNameWarning('  ', catalog)).toBeUndefined();
    expect(unseenNameWarning('order_completed', undefined)).toBeUndefined();
  });

  it('words a property of an event differently', () => {
    expect(unseenNameWarning('Revenue', ['revenue', 'order_id'], 'property')).toEqual({
      message:
        'No property named “Revenue” has been seen on this event yet; did you mean “revenue”?',
      suggestion: 'revenue',
    });
  });
});
