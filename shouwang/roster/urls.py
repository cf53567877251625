"""Pages of the duty roster under ``/roster/``; the calendar feed is public by its signed token."""

from django.urls import URLPattern, path

from shouwang.roster import views

app_name = "roster"
urlpatterns: list[URLPattern] = [
    path("", views.rosters_page, name="list"),
    path("<int:roster_id>/", views.roster_page, name="detail"),
    path("<int:roster_id>/roster.xlsx", views.roster_xlsx, name="xlsx"),
    path("mine/", views.my_shifts_page, name="mine"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("swaps/", views.swaps_page, name="swaps"),
    path("hours/", views.hours_page, name="hours"),
    path("hours.xlsx", views.hours_xlsx, name="hours-xlsx"),
]
