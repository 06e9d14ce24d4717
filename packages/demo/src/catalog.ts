/** The demo store: "Cairn Coffee Co.", an online shop for coffee, tea and the gear around them. */

export const DEMO_CATEGORIES = [
  'Coffee',
  'Tea',
  'Brewing Gear',
  'Mugs',
  'Gifts',
  'Subscriptions',
  'Snacks',
  'Cleaning',
] as const;
export type DemoCategory = (typeof DEMO_CATEGORIES)[number];

export interface DemoProduct {
  product_id: string;
  sku: string;
  name: string;
  category: DemoCategory;
  /** USD. */
  price: number;
  /** For consumables: the usual days between two orders of a regular buyer, as [min, max]. */
  reorderDays?: readonly [number, number];
  /** Subscriptions set this `plan` trait on the buyer. */
  plan?: string;
}

const COFFEE_CYCLE = [21, 35] as const;
const TEA_CYCLE = [30, 45] as const;
const FILTER_CYCLE = [55, 65] as const;

// [name, price, reorderDays?, plan?] per category; ids and SKUs are derived so they stay stable when the list grows at the end.
type Row = readonly [string, number, (readonly [number, number])?, string?];
const ROWS: Record<DemoCategory, readonly Row[]> = {
  Coffee: [
    ['Ethiopia Yirgacheffe, 250 g', 16.5, COFFEE_CYCLE],
    ['Colombia Huila, 250 g', 14.0, COFFEE_CYCLE],
    ['Kenya AA, 250 g', 18.0, COFFEE_CYCLE],
    ['Guatemala Antigua, 250 g', 15.0, COFFEE_CYCLE],
    ['Brazil Cerrado, 1 kg', 38.0, COFFEE_CYCLE],
    ['House Espresso Blend, 1 kg', 34.0, COFFEE_CYCLE],
    ['Decaf Swiss Water, 250 g', 15.5, COFFEE_CYCLE],
    ['Sumatra Mandheling, 250 g', 16.0, COFFEE_CYCLE],
    ['Rwanda Nyamasheke, 250 g', 17.5, COFFEE_CYCLE],
    ['Cold Brew Blend, 500 g', 21.0, COFFEE_CYCLE],
  ],
  Tea: [
    ['Darjeeling First Flush, 100 g', 14.0, TEA_CYCLE],
    ['Sencha Kagoshima, 100 g', 12.5, TEA_CYCLE],
    ['Earl Grey Classic, 100 g', 9.5, TEA_CYCLE],
    ['Jasmine Pearls, 50 g', 15.0, TEA_CYCLE],
    ['Rooibos Vanilla, 100 g', 8.5, TEA_CYCLE],
    ['Matcha Ceremonial, 30 g', 24.0, TEA_CYCLE],
    ['Chamomile Blossoms, 50 g', 7.5, TEA_CYCLE],
    ['Masala Chai, 100 g', 10.0, TEA_CYCLE],
  ],
  'Brewing Gear': [
    ['Pour-Over Dripper V60', 24.0],
    ['Paper Filters V60, 100 pcs', 6.5, FILTER_CYCLE],
    ['Gooseneck Kettle', 69.0],
    ['Burr Grinder Pro', 189.0],
    ['Hand Grinder', 79.0],
    ['French Press 1 L', 39.0],
    ['AeroPress Go', 42.0],
    ['Digital Scale with Timer', 55.0],
    ['Cold Brew Bottle', 29.0],
    ['Espresso Machine Home', 449.0],
  ],
  Mugs: [
    ['Stoneware Mug, Slate', 18.0],
    ['Stoneware Mug, Sand', 18.0],
    ['Double-Wall Glass, pair', 26.0],
    ['Travel Tumbler', 32.0],
    ['Espresso Cups, set of 4', 28.0],
    ['Tea Bowl, hand-thrown', 34.0],
    ['Latte Bowl', 22.0],
  ],
  Gifts: [
    ['Gift Card $25', 25.0],
    ['Gift Card $50', 50.0],
    ['Gift Card $100', 100.0],
    ['Coffee Tasting Box', 45.0],
    ['Tea Discovery Box', 39.0],
    ['Barista Starter Kit', 129.0],
    ['Holiday Sampler', 59.0],
  ],
  Subscriptions: [
    ['Coffee Club Monthly', 29.0, undefined, 'Coffee Club Monthly'],
    ['Coffee Club Quarterly', 79.0, undefined, 'Coffee Club Quarterly'],
    ['Tea Club Monthly', 24.0, undefined, 'Tea Club Monthly'],
    ['Gift Subscription, 3 months', 87.0],
  ],
  Snacks: [
    ['Almond Biscotti', 7.5],
    ['Dark Chocolate 70%', 6.0],
    ['Stroopwafels, 8 pcs', 5.5],
    ['Salted Caramel Shortbread', 8.0],
    ['Chocolate-Covered Espresso Beans', 9.0],
    ['Ginger Snaps', 6.5],
  ],
  Cleaning: [
    ['Espresso Machine Cleaner Tablets', 14.0, [80, 100]],
    ['Descaler, 500 ml', 12.0, [80, 100]],
    ['Grinder Cleaning Pellets', 16.0],
    ['Group Head Brush', 9.0],
    ['Microfiber Cloths, 3 pcs', 7.0],
  ],
};

const SKU_PREFIX: Record<DemoCategory, string> = {
  Coffee: 'COF',
  Tea: 'TEA',
  'Brewing Gear': 'GEA',
  Mugs: 'MUG',
  Gifts: 'GFT',
  Subscriptions: 'SUB',
  Snacks: 'SNK',
  Cleaning: 'CLN',
};

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/%/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export const DEMO_CATALOG: readonly DemoProduct[] = DEMO_CATEGORIES.flatMap((category) =>
  (ROWS[category] ?? []).map(([name, price, reorderDays, plan], i): DemoProduct => {
    const product: DemoProduct = {
      product_id: `prod-${SKU_PREFIX[category].toLowerCase()}-${String(i + 1).padStart(2, '0')}`,
      sku: `${SKU_PREFIX[category]}-${String(i + 1).padStart(3, '0')}`,
      name,
      category,
      price,
    };
    if (reorderDays) product.reorderDays = reorderDays;
    if (plan) product.plan = plan;
    return product;
  }),
);

const PRODUCTS_BY_CATEGORY = new Map<DemoCategory, readonly DemoProduct[]>(
  DEMO_CATEGORIES.map((c) => [c, DEMO_CATALOG.filter((p) => p.category === c)]),
);

export function productsIn(category: DemoCategory): readonly DemoProduct[] {
  return PRODUCTS_BY_CATEGORY.get(category) ?? [];
}

export const PAPER_FILTERS = DEMO_CATALOG.find((p) =>
  p.name.startsWith('Paper Filters'),
) as DemoProduct;

export function productPath(product: DemoProduct): string {
  return `/products/${slug(product.name)}`;
}

export function categoryPath(category: DemoCategory): string {
  return `/collections/${slug(category)}`;
}

export const STORE_URL = 'https://shop.example.com';
