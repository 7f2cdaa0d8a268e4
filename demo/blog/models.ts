// The blog's Objection.js models (on Knex): relations as a RealWorld-style app declares them. The
// relation mappings are what make the ORM generate its SQL shapes (association loaders through the
// join tables, BelongsToOne lazy getters, graph joins).
import { Model, type RelationMappings } from 'objection';

export class User extends Model {
  static tableName = 'users';
  id!: number;
  username!: string;
  bio!: string | null;
  image!: string | null;
}

export class Tag extends Model {
  static tableName = 'tags';
  id!: number;
  name!: string;
}

export class Follow extends Model {
  static tableName = 'follows';
  id!: number;
  follower_id!: number;
  followed_id!: number;
}

export class Favorite extends Model {
  static tableName = 'favorites';
  id!: number;
  user_id!: number;
  article_id!: number;
}

export class ArticleView extends Model {
  static tableName = 'article_views';
  id!: number;
  article_id!: number;
  viewed_at!: Date;
}

export class Newsletter extends Model {
  static tableName = 'newsletters';
  id!: number;
  subject!: string;
  html!: string;
  sent_at!: Date;
}

export class Comment extends Model {
  static tableName = 'comments';
  id!: number;
  article_id!: number;
  author_id!: number;
  body!: string;
  created_at!: Date;
  author?: User;

  static get relationMappings(): RelationMappings {
    return {
      author: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'comments.author_id', to: 'users.id' } },
    };
  }
}

export class Article extends Model {
  static tableName = 'articles';
  id!: number;
  slug!: string;
  title!: string;
  description!: string;
  body!: string;
  author_id!: number;
  created_at!: Date;
  author?: User;
  tags?: Tag[];

  static get relationMappings(): RelationMappings {
    return {
      author: { relation: Model.BelongsToOneRelation, modelClass: User, join: { from: 'articles.author_id', to: 'users.id' } },
      tags: {
        relation: Model.ManyToManyRelation,
        modelClass: Tag,
        join: { from: 'articles.id', through: { from: 'article_tags.article_id', to: 'article_tags.tag_id' }, to: 'tags.id' },
      },
      favoritedBy: {
        relation: Model.ManyToManyRelation,
        modelClass: User,
        join: { from: 'articles.id', through: { from: 'favorites.article_id', to: 'favorites.user_id' }, to: 'users.id' },
      },
      comments: { relation: Model.HasManyRelation, modelClass: Comment, join: { from: 'articles.id', to: 'comments.article_id' } },
    };
  }
}
