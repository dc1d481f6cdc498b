import type { Database } from 'better-sqlite3';
import { SeededRandom } from '../shared/seeded-random.js';

const SCHEMA = `
  CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    city TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    product TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price REAL NOT NULL CHECK (unit_price >= 0),
    ordered_at TEXT NOT NULL
  );
  CREATE INDEX orders_customer_id ON orders(customer_id);
`;

/** [name, city]; several customers share a city so grouping by city means something. */
const CUSTOMERS: readonly (readonly [string, string])[] = [
  ['Alice Martin', 'Seattle'],
  ['Bruno Costa', 'Lisbon'],
  ['Chloe Dubois', 'Paris'],
  ['Daniel Okafor', 'Seattle'],
  ['Elena Petrova', 'Berlin'],
  ['Farid Haddad', 'Paris'],
  ['Grace Kim', 'Toronto'],
  ['Hiro Tanaka', 'Berlin'],
  ['Isabel Romero', 'Lisbon'],
  ['Jonas Berg', 'Toronto'],
  ['Keira Walsh', 'Seattle'],
  ['Liam Novak', 'Paris'],
];

/** [product, unit price in dollars]. */
const PRODUCTS: readonly [readonly [string, number], ...(readonly [string, number])[]] = [
  ['Mechanical Keyboard', 89.9],
  ['Wireless Mouse', 24.5],
  ['27-inch Monitor', 219],
  ['USB-C Hub', 39.99],
  ['Laptop Stand', 34.75],
  ['Webcam', 59],
  ['Noise-Cancelling Headset', 149.95],
  ['Desk Lamp', 27.3],
];

const ORDER_COUNT = 40;
/** Fixed seed: every freshly created sample database holds exactly the same rows. */
const SEED = 20_240_101;
const DAY_MS = 86_400_000;

function isoDate(start: string, dayOffset: number): string {
  return new Date(Date.parse(start) + dayOffset * DAY_MS).toISOString().slice(0, 10);
}

/** Creates the `customers` and `orders` tables and fills them with 12 customers and 40 orders. */
export function seedSampleData(db: Database): void {
  const rng = new SeededRandom(SEED);
  // One transaction: a half-seeded database would never be re-seeded, since seeding only happens on creation.
  db.transaction(() => {
    db.exec(SCHEMA);
    const insertCustomer = db.prepare(
      'INSERT INTO customers (id, name, email, city, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    const insertOrder = db.prepare(
      'INSERT INTO orders (customer_id, product, quantity, unit_price, ordered_at) VALUES (?, ?, ?, ?, ?)',
    );
    CUSTOMERS.forEach(([name, city], index) => {
      const email = `${name.toLowerCase().replace(' ', '.')}@example.com`;
      insertCustomer.run(index + 1, name, email, city, isoDate('2023-01-09', index * 23));
    });
    // Orders are generated in date order so that order ids and dates both ascend.
    const orders = Array.from({ length: ORDER_COUNT }, () => {
      const [product, unitPrice] = rng.pick(PRODUCTS);
      return {
        customerId: rng.int(1, CUSTOMERS.length),
        product,
        quantity: rng.int(1, 4),
        unitPrice,
        day: rng.int(0, 364),
      };
    }).sort((a, b) => a.day - b.day);
    for (const order of orders) {
      insertOrder.run(
        order.customerId,
        order.product,
        order.quantity,
        order.unitPrice,
        isoDate('2024-01-01', order.day),
      );
    }
  })();
}
