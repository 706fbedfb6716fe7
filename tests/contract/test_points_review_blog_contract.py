"""The points, review and blog ports, in every store mode."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from blog.selectors import post_by_slug, published_posts
from blog.services import InvalidPostInput, post_create, post_edit, post_publish, post_unpublish
from cutover.store.backends.errors import UniqueConflict
from cutover.store.legacy import LegacyValueError
from points.selectors import points_balance, points_history
from points.services import InvalidPointsInput, points_record
from reviews.selectors import reviews_of_user, user_rating
from reviews.services import InvalidReviewInput, review_create, review_edit
from tests.contract.conftest import assert_stores_follow_mode
from tests.factories import a_purchase_request, a_user


def test_points_add_up_to_a_balance_that_may_go_negative(repo_of):
    points = repo_of("points")
    user, other = a_user(), a_user()
    assert points.balance(user_id=user.id) == 0
    earned = points.record_points(user_id=user.id, points=120, reason="purchase completed")
    spent = points.record_points(user_id=user.id, points=-150, reason="discount redeemed", reference_id=earned.id)
    points.record_points(user_id=other.id, points=7, reason="referral")
    assert points.balance(user_id=user.id) == -30
    assert points.balance(user_id=other.id) == 7
    assert [t.id for t in points.list_transactions(user_id=user.id)] == [spent.id, earned.id]
    assert points.get_transaction(spent.id) == spent
    assert_stores_follow_mode("points", points.mode, [earned, spent])


def test_points_services_refuse_what_is_not_a_transaction(mode):
    user = a_user()
    for bad in (0, 1.5, True, "10", 2**63):
        with pytest.raises((InvalidPointsInput, LegacyValueError)):
            points_record(user_id=user.id, points=bad, reason="x")
    with pytest.raises(InvalidPointsInput, match="reason"):
        points_record(user_id=user.id, points=1, reason="  ")
    with pytest.raises(InvalidPointsInput, match="referenceId"):
        points_record(user_id=user.id, points=1, reason="x", reference_id="order-12")
    upper = points_record(user_id=user.id, points=-1, reason="x", reference_id=user.id.upper())
    assert upper.reference_id == user.id
    points_record(user_id=user.id, points=2**62, reason="big")
    points_record(user_id=user.id, points=2**62, reason="big again")
    assert points_balance(user_id=user.id) == 2**63 - 1  # beyond bigint: summed exactly in every store
    assert len(points_history(user_id=user.id)) == 3


def test_one_review_per_request_and_reviewer(repo_of):
    reviews = repo_of("review")
    request = a_purchase_request()
    buyer, seller = request.buyer_id, request.seller_id
    first = reviews.create_review(
        purchase_request_id=request.id, reviewer_id=buyer, reviewee_id=seller, rating=4, comment="ok"
    )
    with pytest.raises(UniqueConflict, match="already reviewed"):
        reviews.create_review(purchase_request_id=request.id, reviewer_id=buyer, reviewee_id=seller, rating=5)
    back = reviews.create_review(purchase_request_id=request.id, reviewer_id=seller, reviewee_id=buyer, rating=2)
    edited = reviews.edit_review(first.id, rating=5)
    assert edited.rating == 5 and edited.updated_at > first.updated_at and edited.comment == "ok"
    assert reviews.edit_review(first.id, rating=5) == edited  # nothing changed: the same record
    assert reviews.find_review(purchase_request_id=request.id, reviewer_id=buyer) == edited
    assert reviews.list_reviews_of_user(reviewee_id=seller) == [edited]
    summary = reviews.rating_summary(reviewee_id=seller)
    assert (summary.count, summary.average) == (1, Decimal("5.00"))
    assert reviews.rating_summary(reviewee_id=a_user().id).average is None
    assert_stores_follow_mode("review", reviews.mode, [edited, back])


def test_ratings_outside_one_to_five_are_refused_in_every_store(repo_of):
    reviews = repo_of("review")
    request = a_purchase_request()
    for rating in (0, 6, -1):
        with pytest.raises(ValueError, match="rating"):
            reviews.create_review(
                purchase_request_id=request.id,
                reviewer_id=request.buyer_id,
                reviewee_id=request.seller_id,
                rating=rating,
            )
    with pytest.raises(InvalidReviewInput, match="1 to 5"):
        review_create(
            purchase_request_id=request.id, reviewer_id=request.buyer_id, reviewee_id=request.seller_id, rating=4.5
        )
    review = review_create(
        purchase_request_id=request.id, reviewer_id=request.buyer_id, reviewee_id=request.seller_id, rating=3
    )
    with pytest.raises(InvalidReviewInput):
        review_edit(review_id=review.id, rating=9)
    assert [r.rating for r in reviews_of_user(user_id=request.seller_id)] == [3]
    assert user_rating(user_id=request.seller_id).count == 1


def test_blog_lists_published_posts_newest_first(repo_of):
    blog = repo_of("blog")
    author = a_user()
    old = blog.create_post(slug="old", title="Old", body="b", author_id=author.id, tags=["news"])
    draft = blog.create_post(slug="draft", title="Draft", body="b", author_id=author.id)
    new = blog.create_post(slug="new", title="New", body="b", author_id=author.id, tags=["escrow", "guides"])
    with pytest.raises(UniqueConflict, match="slug"):
        blog.create_post(slug="old", title="Again", body="", author_id=author.id)
    old = blog.publish_post(old.id)
    new = blog.publish_post(new.id)
    assert [p.slug for p in blog.list_published()] == ["new", "old"]
    assert blog.publish_post(new.id) == new  # publishing again changes nothing
    hidden = blog.unpublish_post(new.id)
    assert hidden.published_at == new.published_at and not hidden.is_published
    assert [p.slug for p in blog.list_published()] == ["old"]
    edited = blog.edit_post(old.id, tags=["news", "мир"], title="Old, edited")
    assert blog.get_post_by_slug("old") == edited and edited.tags == ["news", "мир"]
    assert blog.get_post(draft.id) == draft
    assert_stores_follow_mode("blog", blog.mode, [edited, draft, hidden])


def test_blog_services_check_slugs_titles_and_tags(mode):
    author = a_user()
    for slug in ("Has Space", "UPPER", "-lead", "double--hyphen", ""):
        with pytest.raises(InvalidPostInput, match="slug"):
            post_create(slug=slug, title="t", body="", author_id=author.id)
    with pytest.raises(InvalidPostInput, match="tags"):
        post_create(slug="ok", title="t", body="", author_id=author.id, tags="escrow")
    post = post_create(slug=" ok-1 ", title=" T ", body="", author_id=author.id, tags=["a", " a", "b"])
    assert (post.slug, post.title, post.tags) == ("ok-1", "T", ["a", "b"])
    with pytest.raises(LegacyValueError, match="NUL"):
        post_edit(post_id=post.id, tags=["bad\x00tag"])
    post_publish(post_id=post.id)
    assert [p.id for p in published_posts()] == [post.id]
    post_unpublish(post_id=post.id)
    assert published_posts() == [] and post_by_slug(slug="ok-1").is_published is False


@pytest.mark.django_db(transaction=True)
def test_postgres_itself_enforces_ratings_uniqueness_and_published_dates():
    """Checked by the database, not only by the code (django-pgtrigger's habit: the expected failure in atomic())."""
    request = a_purchase_request()
    author = a_user()
    insert_review = (
        "INSERT INTO reviews (id, purchase_request_id, reviewer_id, reviewee_id, rating, comment, created_at, "
        "updated_at) VALUES (%s, %s, %s, %s, %s, '', now(), now())"
    )
    with connection.cursor() as cursor:
        with pytest.raises(IntegrityError, match="reviews_rating_1_to_5"), transaction.atomic():
            cursor.execute(insert_review, ["a" * 24, request.id, request.buyer_id, request.seller_id, 6])
        cursor.execute(insert_review, ["b" * 24, request.id, request.buyer_id, request.seller_id, 5])
        with pytest.raises(IntegrityError, match="reviews_one_per_request_reviewer"), transaction.atomic():
            cursor.execute(insert_review, ["c" * 24, request.id, request.buyer_id, request.seller_id, 1])
        with pytest.raises(IntegrityError, match="reviews_reviewer_id"), transaction.atomic():
            cursor.execute(insert_review, ["d" * 24, request.id, "e" * 24, request.seller_id, 1])
        with pytest.raises(IntegrityError, match="blog_posts_published_has_date"), transaction.atomic():
            cursor.execute(
                "INSERT INTO blog_posts (id, slug, title, body, author_id, tags, is_published, published_at, "
                "created_at, updated_at) VALUES (%s, 'x', 'x', '', %s, '{}', true, NULL, now(), now())",
                ["f" * 24, author.id],
            )
